"""The customer pages' words, in English and Traditional Chinese.

A test checks both languages have the same keys, so neither can fall behind.
"""

from __future__ import annotations

LOCALES = ("zh_TW", "en")
DEFAULT_LOCALE = "zh_TW"

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "lang_name": "English",
        "switch_to": "中文",
        "register_title": "Become a member of {store}",
        "register_intro": "Your mobile number {phone} is verified by this link. Fill in your details to finish.",
        "name": "Name",
        "email": "E-mail (optional)",
        "birthday": "Birthday (optional)",
        "password": "Password for signing in",
        "password_hint": "At least 8 characters.",
        "password_confirm": "Password again",
        "terms_consent": "I agree to {store}'s member terms and privacy notice.",
        "marketing_consent": "Send me news and offers from {store} by SMS and e-mail.",
        "submit": "Join",
        "required": "Please fill this in.",
        "name_too_long": "Keep the name under 100 characters.",
        "invalid_email": "That is not an e-mail address.",
        "not_one_line": "Type this on one line of text, without tabs, line breaks or control characters.",
        "email_taken": "This e-mail belongs to a member already. Sign in with it instead, or leave it empty.",
        "email_in_use": "This e-mail is on another customer's purchases. Use another e-mail or leave it empty; the store can merge the accounts later.",
        "identifier_retired": "This e-mail can no longer be used to sign up.",
        "request_problem": "We couldn't handle that request. Please open the link from your SMS again.",
        "slow_down": "Too many tries in a short time. Please wait a moment, then try again.",
        "invalid_birthday": "Use a real date in the past.",
        "password_short": "Use at least 8 characters.",
        "password_mismatch": "The two passwords differ.",
        "terms_required": "Please agree to the member terms to join.",
        "form_has_errors": "Please check the fields marked below.",
        "done_title": "Welcome to {store}!",
        "done_body": "You are now a member. Next time at the counter, give your mobile number to collect points and use your member offers.",
        "error_title": "This link can't be used",
        "link_unknown": "We don't know this link. Scan the QR code again, or check that you opened the whole link from the SMS.",
        "link_expired": "This link has expired. Ask the store staff for a new QR code or link.",
        "bind_link_used": "This link has been used: your membership is already linked to {store}.",
        "link_used": "This link has been used already. If you are a member, sign in with your mobile number and password.",
        "already_member": "This mobile number is already a member. Sign in with it instead.",
        "session_missing": "Please open the link from your SMS again.",
        "bind_session_missing": "Please scan the QR code again, or open the link from your SMS again.",
        "csrf_failed": "The page was open too long. Please try again.",
        "server_trouble": "Something went wrong on our side. Please try again in a moment.",
        "bind_title": "Link your membership to {store}",
        "bind_intro": "Sign in with the member account you registered: your mobile number or e-mail, and your password.",
        "bind_member": "The staff found member {phone}.",
        "identifier": "Mobile number or e-mail",
        "identifier_hint": "For example 0912 345 678, +886 912 345 678 or you@example.com.",
        "password_current": "Password",
        "sign_in": "Sign in",
        "identifier_invalid": "Type your mobile number (like 0912 345 678) or your e-mail address.",
        "sign_in_failed": "This mobile number or e-mail and password don't sign in the member the staff found. Check both and try again.",
        "tries_left": "Tries left before this link locks:",
        "link_locked": "Too many wrong sign-ins, so this link is locked. Ask the store staff to start the binding again.",
        "details_title": "Check your details",
        "details_intro": "Signed in. Check your details, then confirm to link your membership to {store}.",
        "email_on_file": "E-mail",
        "confirm_details": "Confirm",
        "bind_done_title": "Membership linked",
        "bind_done": "Your membership is now linked to {store}.",
        "referral_new": "Your referral store is now {store}.",
        "referral_kept": "Your referral was set earlier and stays unchanged: {store}.",
        "line_title": "Link LINE with {store}",
        "line_intro": "On LINE, tap \u201cAllow\u201d, then \u201cAdd friend\u201d to get {store}'s news and member offers on LINE.",
        "line_try_again": "Try LINE again",
        "line_skip": "Continue without LINE",
        "line_problem_title": "LINE not linked",
        "line_cancelled": "You cancelled on LINE, so your LINE account was not linked to {store}. You can try again, or continue without LINE.",
        "line_taken": "This LINE account is already linked to another member of {store}. Continue without LINE, or try again with your own LINE account.",
        "line_failed": "We couldn't finish signing in with LINE just now. Try again, or continue without LINE.",
        "line_state_unknown": "This LINE sign-in doesn't belong to any of our pages. Go back to the page you came from and tap \u201cLog in with LINE\u201d again.",
        "line_trip_used": "This LINE sign-in is already done. Go back to the page you came from, or open your link again.",
        "line_trip_expired": "This LINE sign-in took too long. Go back to the page you came from and tap \u201cLog in with LINE\u201d again.",
        "line_linked_friend": "LINE linked: {store}'s news will reach you on LINE.",
        "line_linked_not_friend": "LINE linked. You haven't added {store} as a friend; you can add it any time in LINE.",
        "line_offer": "Link LINE and add {store} as a friend",
        "line_linked_title": "LINE linked",
        "line_linked_elsewhere": "Your LINE account is linked to {store}. Go back to the page where you started to finish there.",
        "line_go_back": "Go back to the page where you started to go on from there.",
        "forgot_password": "Forgot password?",
        "reset_request_title": "Reset your password",
        "reset_request_sms": "We'll send a link to reset your password by SMS to {phone}.",
        "reset_request_email": "We'll send a link to reset your password by e-mail to {phone}.",
        "reset_send": "Send reset link",
        "back_to_sign_in": "Back to sign in",
        "reset_sent_title": "Check your messages",
        "reset_sent": "We sent a reset link to {phone}. It works once, for 30 minutes. After you change your password, come back to this page and sign in.",
        "reset_wait": "A reset link was sent a moment ago. Please wait a minute before asking for another.",
        "reset_too_many": "Too many reset links were asked for today. Ask the store staff for help.",
        "reset_title": "Choose a new password",
        "reset_intro": "For member {phone}.",
        "password_new": "New password",
        "reset_save": "Save new password",
        "reset_done_title": "Password changed",
        "reset_done": "Your password is changed. Go back to the page where you were signing in, or scan the QR code at the counter again.",
        "reset_done_here": "Password changed. Sign in with your new password.",
        "reset_link_used": "This reset link has been used already. If you still can't sign in, ask for a new one from the sign-in page.",
        "reset_link_expired": "This reset link has expired. Ask for a new one from the sign-in page.",
        "birthday_year": "Year",
        "birthday_month": "Month",
        "birthday_day": "Day",
        "birthday_incomplete": "Choose the year, month and day, or leave all three empty.",
        "birthday_no_such_day": "That month has no such day. Check the day.",
        "terms_link": "Read the member terms and privacy notice",
        "terms_title": "{store}: member terms and privacy notice",
        "terms_default": (
            "{store} keeps the details you give when you join (your name, mobile number, "
            "e-mail and birthday) to run your membership: to find you at the counter, keep "
            "your points and purchases, and give you member offers.\n\n"
            "News and offers reach you by SMS, e-mail or LINE only if you agreed to them, and "
            "you can stop them at any time.\n\n"
            "Your details are used by {store} alone. They are not sold or given to anyone else, "
            "unless the law requires it.\n\n"
            "You can ask the staff at any time to see, correct or delete your details, or to "
            "end your membership, as Taiwan's Personal Data Protection Act provides."
        ),
        "terms_close": "Close this tab to go back to the form.",
        "shop_offer": "Shop at {store} online too, with the same mobile number and password.",
        "shop_go": "Go to the online shop",
        "can_close": "You're all set. You can close this page now.",
        "bind_link_used_title": "Membership already linked",
        "line_login": "Log in with LINE",
        "line_add_friend": "Add friend",
    },
    "zh_TW": {
        "lang_name": "中文",
        "switch_to": "English",
        "register_title": "加入 {store} 會員",
        "register_intro": "您的手機號碼 {phone} 已由此連結驗證。請填寫資料完成註冊。",
        "name": "姓名",
        "email": "電子郵件（選填）",
        "birthday": "生日（選填）",
        "password": "登入密碼",
        "password_hint": "至少 8 個字元。",
        "password_confirm": "再次輸入密碼",
        "terms_consent": "我同意 {store} 的會員條款及隱私權聲明。",
        "marketing_consent": "我願意透過簡訊及電子郵件收到 {store} 的最新消息與優惠。",
        "submit": "加入會員",
        "required": "此欄位必填。",
        "name_too_long": "姓名請少於 100 個字。",
        "invalid_email": "電子郵件格式不正確。",
        "not_one_line": "請只輸入一行文字，不要包含定位字元、換行或控制字元。",
        "email_taken": "此電子郵件已屬於其他會員。請改用它登入，或留空此欄。",
        "email_in_use": "此電子郵件已用於其他顧客的購買紀錄。請改用其他電子郵件或留空，門市之後可以合併帳號。",
        "identifier_retired": "此電子郵件已無法用於註冊。",
        "request_problem": "無法處理此請求。請重新開啟簡訊中的連結。",
        "slow_down": "短時間內嘗試次數過多，請稍候再試。",
        "invalid_birthday": "請輸入過去的有效日期。",
        "password_short": "密碼至少需要 8 個字元。",
        "password_mismatch": "兩次輸入的密碼不一致。",
        "terms_required": "請同意會員條款以加入會員。",
        "form_has_errors": "請檢查下方標示的欄位。",
        "done_title": "歡迎加入 {store}！",
        "done_body": "您已成為會員。下次到櫃台時，提供手機號碼即可累積點數、使用會員優惠。",
        "error_title": "此連結無法使用",
        "link_unknown": "無法辨識此連結。請重新掃描 QR Code，或確認您開啟的是簡訊中完整的連結。",
        "link_expired": "此連結已過期。請向門市人員索取新的 QR Code 或連結。",
        "bind_link_used": "此連結已使用過：您的會員已綁定至 {store}。",
        "link_used": "此連結已使用過。若您已是會員，請使用手機號碼及密碼登入。",
        "already_member": "此手機號碼已是會員，請直接登入。",
        "session_missing": "請重新開啟簡訊中的連結。",
        "bind_session_missing": "請重新掃描 QR Code，或重新開啟簡訊中的連結。",
        "csrf_failed": "頁面停留過久，請再試一次。",
        "server_trouble": "系統暫時發生問題，請稍後再試。",
        "bind_title": "將您的會員綁定至 {store}",
        "bind_intro": "請使用您註冊的會員帳號登入：手機號碼或電子郵件，以及密碼。",
        "bind_member": "門市人員找到的會員：{phone}。",
        "identifier": "手機號碼或電子郵件",
        "identifier_hint": "例如 0912 345 678、+886 912 345 678 或 you@example.com。",
        "password_current": "密碼",
        "sign_in": "登入",
        "identifier_invalid": "請輸入手機號碼（例如 0912 345 678）或電子郵件。",
        "sign_in_failed": "此手機號碼或電子郵件及密碼無法登入門市人員找到的會員。請確認兩者後再試一次。",
        "tries_left": "連結鎖定前剩餘次數：",
        "link_locked": "登入錯誤次數過多，此連結已鎖定。請門市人員重新開始綁定。",
        "details_title": "確認您的資料",
        "details_intro": "已登入。請確認您的資料，按下確認即可將會員綁定至 {store}。",
        "email_on_file": "電子郵件",
        "confirm_details": "確認",
        "bind_done_title": "會員綁定完成",
        "bind_done": "您的會員已綁定至 {store}。",
        "referral_new": "您的推薦門市為 {store}。",
        "referral_kept": "您的推薦門市先前已設定，維持不變：{store}。",
        "line_title": "與 {store} 連結 LINE",
        "line_intro": "在 LINE 上點選「許可」，再點選「加入好友」，即可在 LINE 收到 {store} 的最新消息與會員優惠。",
        "line_try_again": "再試一次 LINE",
        "line_skip": "不連結 LINE，繼續",
        "line_problem_title": "未連結 LINE",
        "line_cancelled": "您在 LINE 上取消了，因此您的 LINE 帳號未與 {store} 連結。您可以再試一次，或不連結 LINE 繼續。",
        "line_taken": "此 LINE 帳號已連結 {store} 的其他會員。請不連結 LINE 繼續，或使用您自己的 LINE 帳號再試一次。",
        "line_failed": "目前無法完成 LINE 登入。請再試一次，或不連結 LINE 繼續。",
        "line_state_unknown": "此 LINE 登入不屬於我們的任何頁面。請回到原本的頁面，再點選「使用LINE帳號登入」。",
        "line_trip_used": "此 LINE 登入已完成。請回到原本的頁面，或重新開啟您的連結。",
        "line_trip_expired": "此 LINE 登入停留過久。請回到原本的頁面，再點選「使用LINE帳號登入」。",
        "line_linked_friend": "已連結 LINE：您將在 LINE 收到 {store} 的最新消息。",
        "line_linked_not_friend": "已連結 LINE。您尚未將 {store} 加入好友，隨時可在 LINE 中加入。",
        "line_offer": "連結 LINE 並將 {store} 加入好友",
        "line_linked_title": "已連結 LINE",
        "line_linked_elsewhere": "您的 LINE 帳號已與 {store} 連結。請回到原本的頁面完成後續步驟。",
        "line_go_back": "請回到原本的頁面繼續。",
        "forgot_password": "忘記密碼？",
        "reset_request_title": "重設密碼",
        "reset_request_sms": "我們會以簡訊將重設密碼的連結傳送至 {phone}。",
        "reset_request_email": "我們會以電子郵件將重設密碼的連結傳送至 {phone}。",
        "reset_send": "傳送重設連結",
        "back_to_sign_in": "返回登入",
        "reset_sent_title": "請查看您的訊息",
        "reset_sent": "重設連結已傳送至 {phone}，30 分鐘內可使用一次。變更密碼後，請回到此頁面登入。",
        "reset_wait": "剛剛已傳送重設連結，請稍候一分鐘再重新索取。",
        "reset_too_many": "今天索取重設連結的次數過多，請洽詢門市人員。",
        "reset_title": "設定新密碼",
        "reset_intro": "會員 {phone}。",
        "password_new": "新密碼",
        "reset_save": "儲存新密碼",
        "reset_done_title": "密碼已變更",
        "reset_done": "您的密碼已變更。請回到原本登入的頁面，或在櫃台重新掃描 QR Code。",
        "reset_done_here": "密碼已變更，請使用新密碼登入。",
        "reset_link_used": "此重設連結已使用過。若仍無法登入，請在登入頁面重新索取。",
        "reset_link_expired": "此重設連結已過期，請在登入頁面重新索取。",
        "birthday_year": "年",
        "birthday_month": "月",
        "birthday_day": "日",
        "birthday_incomplete": "請選擇年、月、日，或三者都不填。",
        "birthday_no_such_day": "該月份沒有這一天，請確認日期。",
        "terms_link": "閱讀會員條款及隱私權聲明",
        "terms_title": "{store}會員條款及隱私權聲明",
        "terms_default": (
            "{store}保存您加入會員時提供的資料（姓名、手機號碼、電子郵件及生日），"
            "用於會員服務：在櫃台確認您的身分、記錄點數與消費，並提供會員優惠。\n\n"
            "只有在您同意後，我們才會以簡訊、電子郵件或 LINE 傳送最新消息與優惠，"
            "您可隨時停止接收。\n\n"
            "您的資料僅供{store}使用，不會出售或提供給他人，法律另有規定者除外。\n\n"
            "依個人資料保護法，您可隨時向門市人員要求查閱、更正或刪除您的資料，或終止會員資格。"
        ),
        "terms_close": "關閉此分頁即可回到表單。",
        "shop_offer": "您也可以用相同的手機號碼及密碼，在{store}網路商店購物。",
        "shop_go": "前往網路商店",
        "can_close": "已全部完成，您可以關閉此頁面。",
        "bind_link_used_title": "會員已完成綁定",
        "line_login": "使用LINE帳號登入",
        "line_add_friend": "加入好友",
    },
}


def pick_locale(accept_language: str | None, override: str | None = None) -> str:
    """``?lang=`` first, then the browser's languages in order of preference."""
    if override in LOCALES:
        return str(override)
    if not accept_language:
        return DEFAULT_LOCALE
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if quality <= 0:
            continue  # "q=0" means the browser does not accept that language (RFC 9110).
        ranked.append((-quality, index, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag.startswith("zh"):
            return "zh_TW"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE


def translator(locale: str) -> dict[str, str]:
    return MESSAGES.get(locale, MESSAGES[DEFAULT_LOCALE])
