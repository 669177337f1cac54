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
        "email_taken": "This e-mail belongs to a member already. Sign in with it instead, or leave it empty.",
        "email_in_use": "This e-mail is on another customer's purchases. Use another e-mail or leave it empty; the store can merge the accounts later.",
        "identifier_retired": "This e-mail can no longer be used to sign up.",
        "request_problem": "We couldn't handle that request. Please open the link from your SMS again.",
        "invalid_birthday": "Use a real date in the past.",
        "password_short": "Use at least 8 characters.",
        "password_mismatch": "The two passwords differ.",
        "terms_required": "Please agree to the member terms to join.",
        "form_has_errors": "Please check the fields marked below.",
        "done_title": "Welcome to {store}!",
        "done_body": "You are now a member. Sign in later with your mobile number and password.",
        "error_title": "This link can't be used",
        "link_unknown": "We don't know this link. Check that you opened the whole link from the SMS.",
        "link_expired": "This link has expired. Ask the store staff to send you a new one.",
        "link_used": "This link has been used already. If you are a member, sign in with your mobile number and password.",
        "already_member": "This mobile number is already a member. Sign in with it instead.",
        "session_missing": "Please open the link from your SMS again.",
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
        "account_unknown": "We found no member with this mobile number or e-mail. Use the one you registered with.",
        "account_other": "This account is not the member the staff found at the counter. Sign in with your own account, or ask the staff.",
        "password_wrong": "Wrong password. Check it and try again.",
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
        "email_taken": "此電子郵件已屬於其他會員。請改用它登入，或留空此欄。",
        "email_in_use": "此電子郵件已用於其他顧客的購買紀錄。請改用其他電子郵件或留空，門市之後可以合併帳號。",
        "identifier_retired": "此電子郵件已無法用於註冊。",
        "request_problem": "無法處理此請求。請重新開啟簡訊中的連結。",
        "invalid_birthday": "請輸入過去的有效日期。",
        "password_short": "密碼至少需要 8 個字元。",
        "password_mismatch": "兩次輸入的密碼不一致。",
        "terms_required": "請同意會員條款以加入會員。",
        "form_has_errors": "請檢查下方標示的欄位。",
        "done_title": "歡迎加入 {store}！",
        "done_body": "您已成為會員。之後可使用手機號碼及密碼登入。",
        "error_title": "此連結無法使用",
        "link_unknown": "無法辨識此連結。請確認您開啟的是簡訊中完整的連結。",
        "link_expired": "此連結已過期。請向門市人員索取新的連結。",
        "link_used": "此連結已使用過。若您已是會員，請使用手機號碼及密碼登入。",
        "already_member": "此手機號碼已是會員，請直接登入。",
        "session_missing": "請重新開啟簡訊中的連結。",
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
        "account_unknown": "找不到使用此手機號碼或電子郵件的會員。請使用您註冊時的帳號。",
        "account_other": "此帳號不是門市人員在櫃台找到的會員。請使用您自己的帳號登入，或詢問門市人員。",
        "password_wrong": "密碼錯誤，請確認後再試一次。",
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
