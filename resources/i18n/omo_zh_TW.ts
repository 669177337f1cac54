<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_TW" sourcelanguage="en">
<context>
    <name>AddMemberDialog</name>
    <message>
        <source>This customer is already a member: find them in the list.</source>
        <translation>這位顧客已經是會員了：請在名單中找他。</translation>
    </message>
    <message>
        <source>Type a mobile number or an e-mail.</source>
        <translation>請輸入手機號碼或電子郵件。</translation>
    </message>
    <message>
        <source>Type the birthday as year-month-day, e.g. 1990-05-31.</source>
        <translation>生日請照「年-月-日」輸入，例如 1990-05-31。</translation>
    </message>
    <message>
        <source>Check the fields: one of them can&apos;t be saved.</source>
        <translation>請檢查欄位：有一欄無法儲存。</translation>
    </message>
    <message>
        <source>Add member</source>
        <translation>新增會員</translation>
    </message>
    <message>
        <source>A mobile number or an e-mail is needed. The new member gets a message to set their password.</source>
        <translation>手機號碼或電子郵件至少要填一個。新會員會收到設定密碼的訊息。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手機</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>電子郵件</translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation>生日</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>等級</translation>
    </message>
    <message>
        <source>YYYY-MM-DD (optional)</source>
        <translation>YYYY-MM-DD（可不填）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ApiKeysScreen</name>
    <message>
        <source>Give the key a name, e.g. the POS it is for.</source>
        <translation>請為金鑰命名，例如使用它的 POS 名稱。</translation>
    </message>
    <message>
        <source>Copied.</source>
        <translation>已複製。</translation>
    </message>
    <message>
        <source>Integration keys</source>
        <translation>串接金鑰</translation>
    </message>
    <message>
        <source>A point-of-sale system or online shop sends orders and carts with a key. Only its first characters are kept to recognise it.</source>
        <translation>POS 系統或網路商店以金鑰傳送訂單與購物車。系統只保留金鑰開頭幾個字元以供辨識。</translation>
    </message>
    <message>
        <source>Name of the new key, e.g. POS Xinyi</source>
        <translation>新金鑰名稱，例如：信義店 POS</translation>
    </message>
    <message>
        <source>Creating…</source>
        <translation>建立中…</translation>
    </message>
    <message>
        <source>Create key</source>
        <translation>建立金鑰</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>複製</translation>
    </message>
    <message>
        <source>Keep it</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>Revoke now</source>
        <translation>立即停用</translation>
    </message>
    <message>
        <source>Revoke key</source>
        <translation>停用金鑰</translation>
    </message>
    <message>
        <source>Revoke %1 (%2)? Whatever uses it stops at once; this can&apos;t be undone.</source>
        <translation>要停用 %1（%2）嗎？使用此金鑰的系統會立即停止運作，且無法復原。</translation>
    </message>
    <message>
        <source>Loading the keys…</source>
        <translation>正在載入金鑰…</translation>
    </message>
    <message>
        <source>No keys yet.</source>
        <translation>尚未建立金鑰。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名稱</translation>
    </message>
    <message>
        <source>Key starts with</source>
        <translation>金鑰開頭</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>建立時間</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>最後使用</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>狀態</translation>
    </message>
    <message>
        <source>Revoked %1</source>
        <translation>已於 %1 停用</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>使用中</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>從未使用</translation>
    </message>
    <message>
        <source>New key for %1: copy it now, it is not shown again.</source>
        <translation>「%1」的新金鑰：請立即複製，之後不會再顯示。</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>Starting the demo backend on this computer…</source>
        <translation>正在此電腦上啟動示範伺服器…</translation>
    </message>
    <message>
        <source>The demo backend could not start: %1</source>
        <translation>示範伺服器無法啟動：%1</translation>
    </message>
    <message>
        <source>, </source>
        <comment>between the items of a list</comment>
        <translation>、</translation>
    </message>
    <message>
        <source>%1 %2 (PIN %3)</source>
        <comment>a demo staff: code, name, PIN</comment>
        <translation>%1 %2（密碼 %3）</translation>
    </message>
    <message>
        <source>Demo staff: %1. Try members %2 (password on the phone: %5), past buyers %3, or a new number %4.</source>
        <translation>示範店員：%1。可試試會員 %2（手機登入密碼：%5）、曾消費顧客 %3，或新號碼 %4。</translation>
    </message>
</context>
<context>
    <name>BindingScreen</name>
    <message>
        <source>Scan to bind</source>
        <translation>掃描 QR Code 綁定</translation>
    </message>
    <message>
        <source>It can no longer be scanned. Tap New code to show a fresh one.</source>
        <translation>此 QR Code 已無法掃描，請點「重新產生 QR Code」。</translation>
    </message>
    <message>
        <source>Ask the customer to scan this code with their phone&apos;s camera.</source>
        <translation>請顧客用手機相機掃描此 QR Code。</translation>
    </message>
    <message>
        <source>The customer continues on their phone</source>
        <translation>顧客正在手機上繼續操作</translation>
    </message>
    <message>
        <source>Binding on the customer&apos;s phone</source>
        <translation>顧客正在手機上綁定</translation>
    </message>
    <message>
        <source>Each step shows here as the customer completes it.</source>
        <translation>顧客每完成一個步驟，這裡就會更新。</translation>
    </message>
    <message>
        <source>Code valid for</source>
        <translation>QR Code 剩餘時間</translation>
    </message>
    <message>
        <source>Scan the code</source>
        <translation>掃描 QR Code</translation>
    </message>
    <message>
        <source>Waiting for the customer to scan</source>
        <translation>等待顧客掃描</translation>
    </message>
    <message>
        <source>This QR code was cancelled</source>
        <translation>此 QR Code 已取消</translation>
    </message>
    <message>
        <source>This QR code has expired</source>
        <translation>此 QR Code 已過期</translation>
    </message>
    <message>
        <source>SMS sent to %1</source>
        <translation>已傳簡訊至 %1</translation>
    </message>
    <message>
        <source>Can&apos;t scan? Try SMS invitation</source>
        <translation>無法掃描？改用簡訊邀請</translation>
    </message>
    <message>
        <source>New code</source>
        <translation>重新產生 QR Code</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Scanned</source>
        <translation>已掃描</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登入會員</translation>
    </message>
    <message>
        <source>Waiting for the customer to sign in</source>
        <translation>等待顧客登入</translation>
    </message>
    <message>
        <source>Signed in</source>
        <translation>已登入</translation>
    </message>
    <message>
        <source>Link LINE</source>
        <translation>連結 LINE</translation>
    </message>
    <message>
        <source>Linking LINE…</source>
        <translation>正在連結 LINE…</translation>
    </message>
    <message>
        <source>Confirm details</source>
        <translation>確認資料</translation>
    </message>
    <message>
        <source>Waiting for the customer to confirm</source>
        <translation>等待顧客確認資料</translation>
    </message>
    <message>
        <source>Confirmed</source>
        <translation>已確認資料</translation>
    </message>
    <message>
        <source>LINE linked</source>
        <translation>已連結 LINE</translation>
    </message>
    <message>
        <source>LINE not linked</source>
        <translation>未連結 LINE</translation>
    </message>
    <message>
        <source>LINE skipped</source>
        <translation>已略過 LINE</translation>
    </message>
    <message>
        <source>LINE linked · added as friend</source>
        <translation>已連結 LINE · 已加入好友</translation>
    </message>
    <message>
        <source>LINE linked · not a friend yet</source>
        <translation>已連結 LINE · 尚未加入好友</translation>
    </message>
    <message>
        <source>The customer cancelled LINE on their phone. They can try again or continue without LINE.</source>
        <translation>顧客在手機上取消了 LINE 連結。可以再試一次，或不連結 LINE 繼續。</translation>
    </message>
    <message>
        <source>This LINE account is linked to another member. The customer can continue without LINE.</source>
        <translation>此 LINE 帳號已連結其他會員。顧客可以不連結 LINE 繼續。</translation>
    </message>
    <message>
        <source>LINE could not be reached. The customer can try again or continue without LINE.</source>
        <translation>目前無法連線到 LINE。顧客可以再試一次，或不連結 LINE 繼續。</translation>
    </message>
</context>
<context>
    <name>ClearButton</name>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
</context>
<context>
    <name>CounterPage</name>
    <message>
        <source>Counter</source>
        <translation>櫃台</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>會員</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>報表</translation>
    </message>
    <message>
        <source>Integrations</source>
        <translation>串接</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>登出</translation>
    </message>
</context>
<context>
    <name>CustomerCard</name>
    <message>
        <source>Name not given</source>
        <translation>未提供姓名</translation>
    </message>
    <message>
        <source>No phone or e-mail on file</source>
        <translation>沒有手機或電子郵件資料</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>會員</translation>
    </message>
    <message>
        <source>%1 points</source>
        <translation>%1 點</translation>
    </message>
    <message>
        <source>LINE friend</source>
        <translation>LINE 好友</translation>
    </message>
    <message>
        <source>LINE linked · not a friend</source>
        <translation>已連結 LINE · 未加入好友</translation>
    </message>
    <message>
        <source>LINE linked</source>
        <translation>已連結 LINE</translation>
    </message>
    <message>
        <source>1 order</source>
        <translation>1 筆訂單</translation>
    </message>
    <message>
        <source>%1 orders</source>
        <translation>%1 筆訂單</translation>
    </message>
    <message>
        <source>Bought before, not a member yet</source>
        <translation>曾消費，尚未成為會員</translation>
    </message>
    <message>
        <source>Not a member yet</source>
        <translation>尚未成為會員</translation>
    </message>
    <message>
        <source>Referral: %1 since %2</source>
        <translation>推薦：%1（%2 起）</translation>
    </message>
</context>
<context>
    <name>CustomerScreen</name>
    <message>
        <source>Sign up sends a registration SMS (link valid 2 hours).</source>
        <translation>按「註冊」會發送註冊簡訊（連結 2 小時內有效）。</translation>
    </message>
    <message>
        <source>Member found</source>
        <translation>找到會員</translation>
    </message>
    <message>
        <source>Customer found</source>
        <translation>找到顧客</translation>
    </message>
    <message>
        <source>Bind now shows a QR code for the customer to scan.</source>
        <translation>按「立即綁定」會顯示 QR Code 讓顧客掃描。</translation>
    </message>
    <message>
        <source>Bind now shows a QR code for the customer to scan. The referral stays with %1: binding here does not change it.</source>
        <translation>按「立即綁定」會顯示 QR Code 讓顧客掃描。推薦維持為%1，在此綁定不會變更。</translation>
    </message>
    <message>
        <source>This number was merged into another member</source>
        <translation>這個號碼已合併到其他會員</translation>
    </message>
    <message>
        <source>It now belongs to member %1 (%2).</source>
        <translation>現在屬於會員 %1（%2）。</translation>
    </message>
    <message>
        <source>no name</source>
        <translation>未填姓名</translation>
    </message>
    <message>
        <source>A merged number can&apos;t sign up again. Search for that member by their mobile, e-mail or name to bind them.</source>
        <translation>已合併的號碼不能再註冊。請用那位會員的手機、電子郵件或姓名搜尋，再進行綁定。</translation>
    </message>
    <message>
        <source>Please wait…</source>
        <translation>請稍候…</translation>
    </message>
    <message>
        <source>Bind now</source>
        <translation>立即綁定</translation>
    </message>
    <message>
        <source>Sign up</source>
        <translation>註冊</translation>
    </message>
    <message>
        <source>New search</source>
        <translation>重新搜尋</translation>
    </message>
    <message>
        <source>It has not bought or registered before.</source>
        <translation>此號碼尚無消費或註冊紀錄。</translation>
    </message>
    <message>
        <source>No customer with this number</source>
        <translation>查無此號碼的顧客</translation>
    </message>
    <message>
        <source>Sign up (%1)</source>
        <translation>註冊（%1）</translation>
    </message>
    <message>
        <source>Sign up sends a registration SMS to this number (link valid 2 hours). Check it with the customer first.</source>
        <translation>按「註冊」會發送註冊簡訊至此號碼（連結 2 小時內有效），請先與顧客核對號碼。</translation>
    </message>
</context>
<context>
    <name>DatePicker</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Choose this day</source>
        <translation>選這一天</translation>
    </message>
</context>
<context>
    <name>DemoPhoneWindow</name>
    <message>
        <source>Open link</source>
        <translation>開啟連結</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>排隊中</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>傳送中…</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>已發送</translation>
    </message>
    <message>
        <source>Not sent</source>
        <translation>未發送</translation>
    </message>
    <message>
        <source>Demo phone</source>
        <translation>示範手機</translation>
    </message>
    <message>
        <source>SMS that would have been sent (nothing leaves this computer)</source>
        <translation>本應發送的簡訊（不會傳出此電腦）</translation>
    </message>
    <message>
        <source>The demo backend is not answering. Trying again…</source>
        <translation>示範伺服器沒有回應，正在重試…</translation>
    </message>
    <message>
        <source>No SMS yet. Send a sign-up or bind link at the counter and it shows up here.</source>
        <translation>尚無簡訊。在櫃台發送註冊或綁定連結後，會顯示在這裡。</translation>
    </message>
</context>
<context>
    <name>DetailPane</name>
    <message>
        <source>Loading…</source>
        <translation>載入中…</translation>
    </message>
    <message>
        <source>Profile saved.</source>
        <translation>資料已儲存。</translation>
    </message>
    <message>
        <source>Points changed.</source>
        <translation>點數已更新。</translation>
    </message>
    <message>
        <source>Type the birthday as year-month-day, e.g. 1990-05-31.</source>
        <translation>生日請照「年-月-日」輸入，例如 1990-05-31。</translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>沒有任何變更。</translation>
    </message>
    <message>
        <source>Check the name and e-mail: one of them can&apos;t be saved.</source>
        <translation>請檢查姓名和電子郵件：有一欄無法儲存。</translation>
    </message>
    <message>
        <source>Type how many points, a whole number above 0.</source>
        <translation>請輸入點數，須為大於 0 的整數。</translation>
    </message>
    <message>
        <source>Type the reason: it is kept with the points.</source>
        <translation>請輸入原因：會跟點數一起留存。</translation>
    </message>
    <message>
        <source>Expiry: a future date as year-month-day, for grants only.</source>
        <translation>到期日：請輸入未來的日期（年-月-日），只有發放點數可設定。</translation>
    </message>
    <message>
        <source>Type why: the member&apos;s request is kept.</source>
        <translation>請輸入原因：會員的要求會留存紀錄。</translation>
    </message>
    <message>
        <source>The reason must be one line.</source>
        <translation>原因只能寫一行。</translation>
    </message>
    <message>
        <source>Choose a member in the list to see their details.</source>
        <translation>在名單中點選會員，就會顯示詳細資料。</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>基本資料</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>點數</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>訂單</translation>
    </message>
    <message>
        <source>Referral, LINE and consents</source>
        <translation>推薦來源、LINE 與同意事項</translation>
    </message>
    <message>
        <source>Changes</source>
        <translation>異動紀錄</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation>生日</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>電子郵件</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>等級</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手機</translation>
    </message>
    <message>
        <source>YYYY-MM-DD</source>
        <translation>YYYY-MM-DD</translation>
    </message>
    <message>
        <source>Save profile</source>
        <translation>儲存資料</translation>
    </message>
    <message>
        <source>Expires YYYY-MM-DD (optional)</source>
        <translation>到期日 YYYY-MM-DD（可不填）</translation>
    </message>
    <message>
        <source>Reason (kept with the points)</source>
        <translation>原因（會跟點數一起留存）</translation>
    </message>
    <message>
        <source>Grant</source>
        <translation>發放</translation>
    </message>
    <message>
        <source>Deduct</source>
        <translation>扣除</translation>
    </message>
    <message>
        <source>No mobile or e-mail</source>
        <translation>沒有手機或電子郵件</translation>
    </message>
    <message>
        <source>(can&apos;t be changed here)</source>
        <translation>（這裡無法修改）</translation>
    </message>
    <message>
        <source>member since %1</source>
        <translation>%1 加入</translation>
    </message>
    <message>
        <source>net spending %1</source>
        <translation>淨消費 %1</translation>
    </message>
    <message>
        <source>orders: %1</source>
        <translation>訂單 %1 筆</translation>
    </message>
    <message>
        <source>Erase personal data</source>
        <translation>刪除個人資料</translation>
    </message>
    <message>
        <source>%1: name, mobile, e-mail, birthday and LINE are removed for good. Orders stay for the totals and consents stay as facts, without the person. Type the reason, then erase.</source>
        <translation>%1：姓名、手機、電子郵件、生日和 LINE 會永久刪除。訂單保留在統計裡，同意紀錄只留事實、不留個人資料。請輸入原因後再刪除。</translation>
    </message>
    <message>
        <source>On the member&apos;s request only. This can&apos;t be undone.</source>
        <translation>僅限會員本人要求時使用，刪除後無法復原。</translation>
    </message>
    <message>
        <source>Reason, e.g. asked by e-mail on 1 Dec</source>
        <translation>原因，例如：12/1 會員來信要求</translation>
    </message>
    <message>
        <source>Erase…</source>
        <translation>刪除…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Erase for good</source>
        <translation>永久刪除</translation>
    </message>
    <message>
        <source>%1 points</source>
        <translation>%1 點</translation>
    </message>
    <message>
        <source>expires %1</source>
        <translation>%1 到期</translation>
    </message>
    <message>
        <source>No points yet.</source>
        <translation>目前沒有點數紀錄。</translation>
    </message>
    <message>
        <source>No orders yet.</source>
        <translation>目前沒有訂單。</translation>
    </message>
    <message>
        <source>Referral: none (not added at a counter)</source>
        <translation>推薦來源：無（不是在門市櫃台加入的）</translation>
    </message>
    <message>
        <source>Referral: %1, by %2, on %3</source>
        <translation>推薦來源：%1，%2 推薦，%3 綁定</translation>
    </message>
    <message>
        <source>LINE: linked</source>
        <translation>LINE：已綁定</translation>
    </message>
    <message>
        <source>LINE: not linked</source>
        <translation>LINE：未綁定</translation>
    </message>
    <message>
        <source>Consents: %1</source>
        <translation>同意事項：%1</translation>
    </message>
    <message>
        <source>No changes recorded.</source>
        <translation>沒有異動紀錄。</translation>
    </message>
    <message>
        <source>paid</source>
        <translation>已付款</translation>
    </message>
    <message>
        <source>unpaid</source>
        <translation>未付款</translation>
    </message>
    <message>
        <source>refunded</source>
        <translation>已退款</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>(refunded %1)</source>
        <translation>（已退 %1）</translation>
    </message>
    <message>
        <source>none recorded</source>
        <translation>沒有紀錄</translation>
    </message>
</context>
<context>
    <name>EnrollScreen</name>
    <message>
        <source>Setting up…</source>
        <translation>設定中…</translation>
    </message>
    <message>
        <source>Set up this device</source>
        <translation>設定此裝置</translation>
    </message>
    <message>
        <source>Type the server address, starting with https://</source>
        <translation>請輸入伺服器位址，以 https:// 開頭</translation>
    </message>
    <message>
        <source>Type the enrollment code and a name for this device.</source>
        <translation>請輸入裝置註冊碼及此裝置的名稱。</translation>
    </message>
    <message>
        <source>Set up this counter</source>
        <translation>設定此櫃台</translation>
    </message>
    <message>
        <source>Ask a manager for an enrollment code. This is done once per device.</source>
        <translation>請向店長索取裝置註冊碼。每台裝置只需設定一次。</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>伺服器位址</translation>
    </message>
    <message>
        <source>Enrollment code</source>
        <translation>裝置註冊碼</translation>
    </message>
    <message>
        <source>Name of this device</source>
        <translation>此裝置的名稱</translation>
    </message>
</context>
<context>
    <name>FilterBar</name>
    <message>
        <source>Searching…</source>
        <translation>搜尋中…</translation>
    </message>
    <message>
        <source>More than %1</source>
        <translation>超過 %1 位</translation>
    </message>
    <message>
        <source>Found: %1</source>
        <translation>共 %1 位</translation>
    </message>
    <message>
        <source>All levels</source>
        <translation>所有等級</translation>
    </message>
    <message>
        <source>All stores</source>
        <translation>所有門市</translation>
    </message>
    <message>
        <source>Search by name, mobile or e-mail</source>
        <translation>用姓名、手機或電子郵件搜尋</translation>
    </message>
    <message>
        <source>New in 7 days</source>
        <translation>7 天內新加入</translation>
    </message>
    <message>
        <source>Open cart</source>
        <translation>購物車未結帳</translation>
    </message>
    <message>
        <source>LINE linked</source>
        <translation>已綁定 LINE</translation>
    </message>
    <message>
        <source>Min spend</source>
        <translation>最低消費</translation>
    </message>
    <message>
        <source>Max spend</source>
        <translation>最高消費</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>清除篩選</translation>
    </message>
</context>
<context>
    <name>FollowingScreen</name>
    <message>
        <source>Registration for %1</source>
        <translation>%1 的註冊進度</translation>
    </message>
    <message>
        <source>Delivered to the phone</source>
        <translation>已送達手機</translation>
    </message>
    <message>
        <source>SMS sent</source>
        <translation>簡訊已發送</translation>
    </message>
    <message>
        <source>Link opened</source>
        <translation>已開啟連結</translation>
    </message>
    <message>
        <source>Registration complete</source>
        <translation>註冊完成</translation>
    </message>
    <message>
        <source>Waiting for the customer to finish registering…</source>
        <translation>等待顧客完成註冊…</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>再次確認</translation>
    </message>
    <message>
        <source>Check again cancels the link already sent.</source>
        <translation>按「再次確認」會取消已發送的連結。</translation>
    </message>
    <message>
        <source>Check the number</source>
        <translation>核對號碼</translation>
    </message>
    <message>
        <source>Search again</source>
        <translation>重新搜尋</translation>
    </message>
    <message>
        <source>Send again</source>
        <translation>重新發送</translation>
    </message>
    <message>
        <source>Sending the SMS</source>
        <translation>正在發送簡訊</translation>
    </message>
    <message>
        <source>The customer is registering</source>
        <translation>顧客正在註冊</translation>
    </message>
    <message>
        <source>Waiting for the customer to open the link</source>
        <translation>等待顧客開啟連結</translation>
    </message>
</context>
<context>
    <name>ImportWizard</name>
    <message>
        <source>Choose the CSV file</source>
        <translation>選擇 CSV 檔</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 檔 (*.csv)</translation>
    </message>
    <message>
        <source>Save the sample file</source>
        <translation>儲存範例檔</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手機</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>電子郵件</translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation>生日</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>等級</translation>
    </message>
    <message>
        <source>Member Points</source>
        <translation>會員點數</translation>
    </message>
    <message>
        <source>Already a member: adding new members never changes one. Use Update existing members, or delete this line.</source>
        <translation>已經是會員：「新增會員」不會改動現有會員。請改用「更新現有會員」，或刪掉這一行。</translation>
    </message>
    <message>
        <source>This birthday is not a possible date of birth.</source>
        <translation>這個生日不是合理的出生日期。</translation>
    </message>
    <message>
        <source>This column is twice in the header.</source>
        <translation>標題列裡這個欄位出現了兩次。</translation>
    </message>
    <message>
        <source>The same mobile or e-mail is on another line of the file.</source>
        <translation>檔案的另一行也有相同的手機或電子郵件。</translation>
    </message>
    <message>
        <source>An example line of the sample file: delete it.</source>
        <translation>這是範例檔的示範行，請刪除。</translation>
    </message>
    <message>
        <source>More cells than the header has columns: is there a comma too many?</source>
        <translation>這一行的格數比標題列多，是不是多了一個逗號？</translation>
    </message>
    <message>
        <source>This mobile or e-mail was merged into another member and can&apos;t be used again.</source>
        <translation>這個手機或電子郵件已合併到其他會員，不能再使用。</translation>
    </message>
    <message>
        <source>This mobile or e-mail belongs to another customer.</source>
        <translation>這個手機或電子郵件屬於另一位顧客。</translation>
    </message>
    <message>
        <source>Write the birthday as year-month-day, e.g. 1990-05-31.</source>
        <translation>生日請照「年-月-日」填寫，例如 1990-05-31。</translation>
    </message>
    <message>
        <source>This is not an e-mail address.</source>
        <translation>這不是電子郵件地址。</translation>
    </message>
    <message>
        <source>This is not a phone number.</source>
        <translation>這不是電話號碼。</translation>
    </message>
    <message>
        <source>This is not a mobile number.</source>
        <translation>這不是手機號碼。</translation>
    </message>
    <message>
        <source>Member Points: a whole number from 0 up, or blank.</source>
        <translation>會員點數：請填 0 以上的整數，或留白。</translation>
    </message>
    <message>
        <source>This member was merged into another one: use that member&apos;s line.</source>
        <translation>這位會員已合併到另一位會員，請改用那位會員的資料。</translation>
    </message>
    <message>
        <source>No member has this mobile or e-mail: updating only changes members. Use Add new members for new ones.</source>
        <translation>沒有會員使用這個手機或電子郵件：「更新」只會改現有會員。新會員請用「新增會員」。</translation>
    </message>
    <message>
        <source>This column is missing from the header: keep all the sample file&apos;s columns (a cell may stay blank).</source>
        <translation>標題列少了這個欄位：請保留範例檔的所有欄位（內容可以留白）。</translation>
    </message>
    <message>
        <source>The name is too long.</source>
        <translation>姓名太長。</translation>
    </message>
    <message>
        <source>This member can get no first-login SMS: add an e-mail to send the link to.</source>
        <translation>這位會員收不到首次登入簡訊，請補上電子郵件來寄送連結。</translation>
    </message>
    <message>
        <source>The cell holds a line break or a control character.</source>
        <translation>這一格裡有換行或控制字元。</translation>
    </message>
    <message>
        <source>The member with this e-mail has another mobile number: an import never changes a member&apos;s mobile.</source>
        <translation>使用這個電子郵件的會員登記的是另一支手機：匯入不會更改會員的手機。</translation>
    </message>
    <message>
        <source>Each line needs a mobile or an e-mail.</source>
        <translation>每一行都要有手機或電子郵件。</translation>
    </message>
    <message>
        <source>The sample file has no such column: delete or rename it.</source>
        <translation>範例檔沒有這個欄位，請刪除或改名。</translation>
    </message>
    <message>
        <source>No level has this code: use a code from the level settings.</source>
        <translation>沒有這個等級代碼，請使用等級設定裡的代碼。</translation>
    </message>
    <message>
        <source>en</source>
        <comment>the sample file&apos;s header: en or zh_TW</comment>
        <translation>zh_TW</translation>
    </message>
    <message>
        <source>Sample file saved: %1</source>
        <translation>範例檔已儲存：%1</translation>
    </message>
    <message>
        <source>The file is larger than 15 MB: split it into files of at most 500 members.</source>
        <translation>檔案超過 15 MB，請分成每個檔最多 500 位會員。</translation>
    </message>
    <message>
        <source>The file has more than 500 members: split it into smaller files.</source>
        <translation>檔案超過 500 位會員，請分成幾個小檔案。</translation>
    </message>
    <message>
        <source>This is the sample file unchanged: put your members in it in place of the two example rows.</source>
        <translation>這是沒修改過的範例檔，請把兩行示範資料換成你的會員資料。</translation>
    </message>
    <message>
        <source>The file is empty.</source>
        <translation>檔案是空的。</translation>
    </message>
    <message>
        <source>The file has a header but no members under it.</source>
        <translation>檔案只有標題列，下面沒有會員資料。</translation>
    </message>
    <message>
        <source>The file is not a CSV file that can be read.</source>
        <translation>這不是可以讀取的 CSV 檔。</translation>
    </message>
    <message>
        <source>The file could not be opened. Choose it again.</source>
        <translation>檔案打不開，請重新選擇。</translation>
    </message>
    <message>
        <source>The file was saved as Big5 (Traditional Chinese).</source>
        <translation>這個檔案存成了 Big5（繁體中文）編碼。</translation>
    </message>
    <message>
        <source>The file was saved as UTF-16 (&quot;Unicode Text&quot;).</source>
        <translation>這個檔案存成了 UTF-16（「Unicode 文字」）編碼。</translation>
    </message>
    <message>
        <source>The file is not saved as UTF-8.</source>
        <translation>這個檔案不是 UTF-8 編碼。</translation>
    </message>
    <message>
        <source>In Excel: File › Save As, and choose &quot;CSV UTF-8 (Comma delimited)&quot;. Then choose the file again.</source>
        <translation>請在 Excel 點「檔案 › 另存新檔」，選「CSV UTF-8（逗號分隔）」，再重新選擇檔案。</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <comment>one sentence after another</comment>
        <translation>%1%2</translation>
    </message>
    <message>
        <source>File: %1</source>
        <translation>檔案：%1</translation>
    </message>
    <message>
        <source>%1 rows</source>
        <translation>%1 行</translation>
    </message>
    <message>
        <source>Nothing was imported: the file has %1 mistakes on %2 lines. Fix them in the file, save it, then tap Check again.</source>
        <translation>沒有匯入任何資料：檔案有 %2 行共 %1 個錯誤。請在檔案裡修正並儲存，再按「重新檢查」。</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>欄位</translation>
    </message>
    <message>
        <source>Mistake</source>
        <translation>錯誤</translation>
    </message>
    <message>
        <source>whole line</source>
        <translation>整行</translation>
    </message>
    <message>
        <source>Ready to import: %1 new members, %2 changed, %3 unchanged.</source>
        <translation>可以匯入：新增 %1 位會員，更新 %2 位，%3 位沒有變動。</translation>
    </message>
    <message>
        <source>What happens</source>
        <translation>處理方式</translation>
    </message>
    <message>
        <source>Changes</source>
        <translation>變更內容</translation>
    </message>
    <message>
        <source>New member</source>
        <translation>新增會員</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>更新</translation>
    </message>
    <message>
        <source>Unchanged</source>
        <translation>沒有變動</translation>
    </message>
    <message>
        <source>Send first-login messages</source>
        <translation>寄送首次登入通知</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <comment>a field and its value</comment>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Off: the new members get no message until you invite them.</source>
        <translation>未開啟：新會員在你邀請之前不會收到任何通知。</translation>
    </message>
    <message>
        <source>SMS: %1 (%2 parts)  ·  e-mail: %3</source>
        <translation>簡訊 %1 封（共 %2 則）  ·  電子郵件 %3 封</translation>
    </message>
    <message>
        <source>SMS cost %1</source>
        <translation>簡訊費用 %1</translation>
    </message>
    <message>
        <source>SMS price not set</source>
        <translation>尚未設定簡訊單價</translation>
    </message>
    <message>
        <source>Import members</source>
        <translation>匯入會員</translation>
    </message>
    <message>
        <source>Import members from a CSV file</source>
        <translation>從 CSV 檔匯入會員</translation>
    </message>
    <message>
        <source>The file has mistakes</source>
        <translation>檔案有錯誤</translation>
    </message>
    <message>
        <source>Check before importing</source>
        <translation>匯入前請確認</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>匯入中…</translation>
    </message>
    <message>
        <source>Import finished</source>
        <translation>匯入完成</translation>
    </message>
    <message>
        <source>Download the sample file, put your members in it, save it as CSV UTF-8 and choose it. Nothing is imported until you confirm.</source>
        <translation>下載範例檔，填入會員資料，存成 CSV UTF-8 後選擇這個檔案。按確認之前不會匯入任何資料。</translation>
    </message>
    <message>
        <source>Add new members</source>
        <translation>新增會員</translation>
    </message>
    <message>
        <source>Update existing members</source>
        <translation>更新現有會員</translation>
    </message>
    <message>
        <source>Each line becomes a new member. A mobile or e-mail that is already a member&apos;s is a mistake: existing members are never changed.</source>
        <translation>每一行會建立一位新會員。手機或電子郵件已是會員的會列為錯誤，現有會員不會被改動。</translation>
    </message>
    <message>
        <source>Members are found by mobile, else e-mail; only the cells you filled in change. Member Points becomes the new balance, with the file&apos;s name as reason.</source>
        <translation>用手機（沒有手機就用電子郵件）找到會員，只更新你有填的欄位。會員點數會變成新的餘額，原因記為檔名。</translation>
    </message>
    <message>
        <source>Columns: Name, Mobile, Email, Birthday (YYYY-MM-DD), Level (its code), Member Points. A mobile or an e-mail on each line. At most 500 members and 15 MB per file. All or nothing: one mistake and nothing is imported.</source>
        <translation>欄位：姓名、手機、電子郵件、生日（YYYY-MM-DD）、等級（代碼）、會員點數。每一行要有手機或電子郵件。每個檔最多 500 位會員、15 MB。全部成功才匯入：只要有一個錯誤就不會匯入任何資料。</translation>
    </message>
    <message>
        <source>Download sample file</source>
        <translation>下載範例檔</translation>
    </message>
    <message>
        <source>Importing %1 members: keep this window open.</source>
        <translation>正在匯入 %1 位會員，請不要關閉視窗。</translation>
    </message>
    <message>
        <source>Imported: %1 new members, %2 changed.</source>
        <translation>匯入完成：新增 %1 位會員，更新 %2 位。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>重新檢查</translation>
    </message>
    <message>
        <source>Choose file</source>
        <translation>選擇檔案</translation>
    </message>
    <message>
        <source>Choose another file</source>
        <translation>選擇其他檔案</translation>
    </message>
    <message>
        <source>Import %1 members</source>
        <translation>匯入 %1 位會員</translation>
    </message>
    <message>
        <source>Nothing to import</source>
        <translation>沒有可匯入的資料</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>關閉</translation>
    </message>
</context>
<context>
    <name>IntegrationsScreen</name>
    <message>
        <source>Integration keys</source>
        <translation>串接金鑰</translation>
    </message>
    <message>
        <source>Webhooks</source>
        <translation>Webhook 通知</translation>
    </message>
</context>
<context>
    <name>Levels</name>
    <message>
        <source>Regular</source>
        <translation>普卡</translation>
    </message>
    <message>
        <source>Silver</source>
        <translation>銀卡</translation>
    </message>
    <message>
        <source>Gold</source>
        <translation>金卡</translation>
    </message>
    <message>
        <source>Platinum</source>
        <translation>白金卡</translation>
    </message>
    <message>
        <source>Diamond</source>
        <translation>鑽石卡</translation>
    </message>
    <message>
        <source>VIP</source>
        <translation>VIP</translation>
    </message>
</context>
<context>
    <name>LoginScreen</name>
    <message>
        <source>Logging in…</source>
        <translation>登入中…</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登入</translation>
    </message>
    <message>
        <source>Type your staff code and PIN.</source>
        <translation>請輸入員工編號及密碼。</translation>
    </message>
    <message>
        <source>Staff log-in</source>
        <translation>員工登入</translation>
    </message>
    <message>
        <source>Staff code</source>
        <translation>員工編號</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>密碼</translation>
    </message>
</context>
<context>
    <name>Members</name>
    <message>
        <source>E-mail</source>
        <translation>電子郵件</translation>
    </message>
    <message>
        <source>First seen</source>
        <translation>首次消費</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手機</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>等級</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>點數</translation>
    </message>
    <message>
        <source>Net spend</source>
        <translation>淨消費</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>加入門市</translation>
    </message>
    <message>
        <source>Joined</source>
        <translation>加入日期</translation>
    </message>
    <message>
        <source>No level</source>
        <translation>無等級</translation>
    </message>
    <message>
        <source>en</source>
        <comment>level names shown: en or zh_TW</comment>
        <translation>zh_TW</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>（未填姓名）</translation>
    </message>
    <message>
        <source>Points changed</source>
        <translation>點數異動</translation>
    </message>
    <message>
        <source>Profile changed</source>
        <translation>資料修改</translation>
    </message>
    <message>
        <source>Added by hand</source>
        <translation>手動新增</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>註冊</translation>
    </message>
    <message>
        <source>Invited by e-mail</source>
        <translation>寄出電子郵件邀請</translation>
    </message>
    <message>
        <source>Bound at a counter</source>
        <translation>在櫃台綁定</translation>
    </message>
    <message>
        <source>LINE linked</source>
        <translation>已綁定 LINE</translation>
    </message>
    <message>
        <source>Order recorded</source>
        <translation>記錄訂單</translation>
    </message>
    <message>
        <source>Accounts merged into this one</source>
        <translation>其他帳號已合併到此帳號</translation>
    </message>
    <message>
        <source>Merged into another member</source>
        <translation>已合併到其他會員</translation>
    </message>
    <message>
        <source>Personal data erased</source>
        <translation>個人資料已刪除</translation>
    </message>
    <message>
        <source>Imported from a CSV file</source>
        <translation>從 CSV 檔匯入</translation>
    </message>
    <message>
        <source>member terms (sign-up)</source>
        <translation>會員條款（註冊時）</translation>
    </message>
    <message>
        <source>member terms (counter)</source>
        <translation>會員條款（櫃台綁定時）</translation>
    </message>
    <message>
        <source>marketing messages</source>
        <translation>行銷訊息</translation>
    </message>
</context>
<context>
    <name>MembersScreen</name>
    <message>
        <source>Export members</source>
        <translation>匯出會員</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 檔案 (*.csv)</translation>
    </message>
    <message>
        <source>Imported: %1 new members, %2 changed.</source>
        <translation>匯入完成：新增 %1 位會員，更新 %2 位。</translation>
    </message>
    <message>
        <source>Accounts merged into %1.</source>
        <translation>帳號已合併到 %1。</translation>
    </message>
    <message>
        <source>Member %1&apos;s personal data was erased. Their orders stay in the totals.</source>
        <translation>會員 %1 的個人資料已刪除，訂單仍計入統計。</translation>
    </message>
    <message>
        <source>%1 was added as a member. Their first-login link went by SMS to %2.</source>
        <translation>已將 %1 加入會員。首次登入連結已用簡訊傳到 %2。</translation>
    </message>
    <message>
        <source>%1 was added as a member. Their first-login link went by e-mail to %2.</source>
        <translation>已將 %1 加入會員。首次登入連結已用電子郵件寄到 %2。</translation>
    </message>
    <message>
        <source>Invite by e-mail (%1)</source>
        <translation>用電子郵件邀請（%1 位）</translation>
    </message>
    <message>
        <source>Invitations sent: %1. Skipped: %2.</source>
        <translation>已寄出邀請：%1 位。略過：%2 位。</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <comment>one sentence after another</comment>
        <translation>%1%2</translation>
    </message>
    <message>
        <source>Exporting: %1 members so far</source>
        <translation>匯出中：已匯出 %1 位會員</translation>
    </message>
    <message>
        <source>Members exported: %1. File: %2</source>
        <translation>已匯出會員：%1 位。檔案：%2</translation>
    </message>
    <message>
        <source>Export cancelled: no file was kept.</source>
        <translation>已取消匯出：沒有留下檔案。</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>會員</translation>
    </message>
    <message>
        <source>Past buyers</source>
        <translation>曾消費顧客</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>匯出 CSV</translation>
    </message>
    <message>
        <source>Add member</source>
        <translation>新增會員</translation>
    </message>
    <message>
        <source>Merge accounts</source>
        <translation>合併帳號</translation>
    </message>
    <message>
        <source>Import CSV</source>
        <translation>匯入 CSV</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>再試一次</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Customers who bought but are not members. Tap rows to choose whom to invite.</source>
        <translation>有消費紀錄但還不是會員的顧客。點選要邀請的人。</translation>
    </message>
</context>
<context>
    <name>MergeDialog</name>
    <message>
        <source>At most 5 accounts are merged at a time.</source>
        <translation>一次最多合併 5 個帳號。</translation>
    </message>
    <message>
        <source>Add at least two accounts of the same customer.</source>
        <translation>請加入同一位顧客的至少兩個帳號。</translation>
    </message>
    <message>
        <source>Points: a whole number, e.g. 100 to award or -50 to deduct.</source>
        <translation>點數請輸入整數，例如 100 是發放、-50 是扣除。</translation>
    </message>
    <message>
        <source>Expiry: a future date as year-month-day, for awards only.</source>
        <translation>到期日：請輸入未來的日期（年-月-日），只有發放點數可設定。</translation>
    </message>
    <message>
        <source>The description must be one line.</source>
        <translation>說明只能寫一行。</translation>
    </message>
    <message>
        <source>No other member matches that search.</source>
        <translation>找不到其他符合的會員。</translation>
    </message>
    <message>
        <source>One of these accounts changed since the preview (an order, points, a merge elsewhere). Nothing was merged: preview again.</source>
        <translation>預覽之後有帳號資料變動了（新訂單、點數或其他合併），所以沒有合併。請重新預覽。</translation>
    </message>
    <message>
        <source>Add  %1  ·  %2</source>
        <translation>加入  %1  ·  %2</translation>
    </message>
    <message>
        <source>%1  ·  %2  ·  orders: %3  ·  %4 points</source>
        <translation>%1  ·  %2  ·  訂單 %3 筆  ·  %4 點</translation>
    </message>
    <message>
        <source>Primary</source>
        <translation>主帳號</translation>
    </message>
    <message>
        <source>Set as primary</source>
        <translation>設為主帳號</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>No accounts yet: search above and add them.</source>
        <translation>還沒有帳號：請在上方搜尋並加入。</translation>
    </message>
    <message>
        <source>Accounts to merge (%1 of %2)</source>
        <translation>要合併的帳號（%1／%2）</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手機</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>電子郵件</translation>
    </message>
    <message>
        <source>LINE</source>
        <translation>LINE</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>等級</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>訂單</translation>
    </message>
    <message>
        <source>Net spending</source>
        <translation>淨消費</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>點數</translation>
    </message>
    <message>
        <source>Referral</source>
        <translation>推薦來源</translation>
    </message>
    <message>
        <source>Merged in</source>
        <translation>併入</translation>
    </message>
    <message>
        <source>(%1 unpaid: they follow once paid)</source>
        <translation>（%1 筆未付款：付款後才會轉入）</translation>
    </message>
    <message>
        <source>linked</source>
        <translation>已綁定</translation>
    </message>
    <message>
        <source>not linked</source>
        <translation>未綁定</translation>
    </message>
    <message>
        <source>After the merge</source>
        <translation>合併後</translation>
    </message>
    <message>
        <source>Retired for good: %1. They can never sign up, sign in, be imported or be bound again.</source>
        <translation>永久停用：%1。這些資料以後不能再註冊、登入、匯入或綁定。</translation>
    </message>
    <message>
        <source>Points: %1 moved, %2 %3.</source>
        <translation>點數：轉入 %1 點，%3 %2 點。</translation>
    </message>
    <message>
        <source>awarded</source>
        <translation>發放</translation>
    </message>
    <message>
        <source>deducted</source>
        <translation>扣除</translation>
    </message>
    <message>
        <source>Points: %1 moved.</source>
        <translation>點數：轉入 %1 點。</translation>
    </message>
    <message>
        <source>Merge accounts</source>
        <translation>合併帳號</translation>
    </message>
    <message>
        <source>Check the merged account</source>
        <translation>確認合併後的帳號</translation>
    </message>
    <message>
        <source>Merge for good?</source>
        <translation>確定要永久合併嗎？</translation>
    </message>
    <message>
        <source>Accounts merged</source>
        <translation>帳號已合併</translation>
    </message>
    <message>
        <source>Find one customer&apos;s accounts by name, e-mail or mobile and add them, up to 5. The primary account&apos;s login becomes the only one.</source>
        <translation>用姓名、電子郵件或手機找出同一位顧客的帳號並加入，最多 5 個。合併後只能用主帳號的方式登入。</translation>
    </message>
    <message>
        <source>Each account as it is now, and the merged account on the right.</source>
        <translation>各帳號目前的資料，最右邊是合併後的帳號。</translation>
    </message>
    <message>
        <source>Read this once more: a merge can&apos;t be undone.</source>
        <translation>請再看一次：合併後無法復原。</translation>
    </message>
    <message>
        <source>The merged accounts&apos; mobiles and e-mails are retired: searched at the counter, they name this member.</source>
        <translation>被合併帳號的手機和電子郵件已停用：在櫃台搜尋時，會顯示它們已屬於這位會員。</translation>
    </message>
    <message>
        <source>Name, e-mail or mobile</source>
        <translation>姓名、電子郵件或手機</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜尋</translation>
    </message>
    <message>
        <source>Points award or deduction (optional)</source>
        <translation>發放或扣除點數（可不填）</translation>
    </message>
    <message>
        <source>Points, e.g. 100 or -50</source>
        <translation>點數，例如 100 或 -50</translation>
    </message>
    <message>
        <source>Expires YYYY-MM-DD</source>
        <translation>到期日 YYYY-MM-DD</translation>
    </message>
    <message>
        <source>Description (optional)</source>
        <translation>說明（可不填）</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>到期日</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>說明</translation>
    </message>
    <message>
        <source>%1 will be merged into %2, which keeps its login.</source>
        <translation>%1 將合併到 %2，並保留 %2 的登入方式。</translation>
    </message>
    <message>
        <source>, </source>
        <comment>between names</comment>
        <translation>、</translation>
    </message>
    <message>
        <source>The merged account: %1 orders, %2 net spending, %3 points.</source>
        <translation>合併後的帳號：%1 筆訂單、淨消費 %2、%3 點。</translation>
    </message>
    <message>
        <source>This can&apos;t be undone. Their orders and points move to the primary account; their mobiles, e-mails and LINE accounts can never be used again.</source>
        <translation>合併後無法復原。這些帳號的訂單和點數會轉到主帳號；它們的手機、電子郵件和 LINE 帳號以後都不能再使用。</translation>
    </message>
    <message>
        <source>%1 now holds: orders %2, net spending %3, points %4.</source>
        <translation>%1 現在有：訂單 %2 筆、淨消費 %3、點數 %4 點。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>上一步</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>預覽</translation>
    </message>
    <message>
        <source>Merge…</source>
        <translation>合併…</translation>
    </message>
    <message>
        <source>Merge %1 accounts for good</source>
        <translation>永久合併 %1 個帳號</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>關閉</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>a day</source>
        <translation>1 天</translation>
    </message>
    <message>
        <source>%1 days</source>
        <translation>%1 天</translation>
    </message>
    <message>
        <source>an hour</source>
        <translation>1 小時</translation>
    </message>
    <message>
        <source>%1 hours</source>
        <translation>%1 小時</translation>
    </message>
    <message>
        <source>1 minute</source>
        <translation>1 分鐘</translation>
    </message>
    <message>
        <source>%1 minutes</source>
        <translation>%1 分鐘</translation>
    </message>
    <message>
        <source>1 second</source>
        <translation>1 秒</translation>
    </message>
    <message>
        <source>%1 seconds</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>The server had a problem. Please try again in a moment.</source>
        <translation>伺服器發生問題，請稍後再試。</translation>
    </message>
    <message>
        <source>That didn&apos;t work. Please try again.</source>
        <translation>操作未成功，請再試一次。</translation>
    </message>
    <message>
        <source>This counter sent %1 messages in %2; try again in %3.</source>
        <translation>此櫃台在 %2內已發送 %1 則簡訊，請於 %3後再試。</translation>
    </message>
    <message>
        <source>This store sent %1 messages in %2; try again in %3.</source>
        <translation>本門市在 %2內已發送 %1 則簡訊，請於 %3後再試。</translation>
    </message>
    <message>
        <source>This number was sent %1 messages in %2; try again in %3.</source>
        <translation>此號碼在 %2內已收到 %1 則簡訊，請於 %3後再試。</translation>
    </message>
    <message>
        <source>This counter is no longer set up with the store (a manager removed it). Ask a manager for a new enrollment code to set it up again.</source>
        <translation>此櫃台裝置已不在門市的裝置名單中（已由店長移除）。請向店長索取新的裝置註冊碼，重新設定。</translation>
    </message>
    <message>
        <source>The server can&apos;t be reached. What you typed is kept; try again.</source>
        <translation>無法連線到伺服器。您輸入的內容已保留，請再試一次。</translation>
    </message>
    <message>
        <source>That is not a valid phone number.</source>
        <translation>這不是有效的電話號碼。</translation>
    </message>
    <message>
        <source>That is not a mobile number: an SMS can&apos;t be sent to it.</source>
        <translation>這不是手機號碼，無法發送簡訊。</translation>
    </message>
    <message>
        <source>SMS can&apos;t be sent to numbers in that country.</source>
        <translation>無法發送簡訊到該國家的號碼。</translation>
    </message>
    <message>
        <source>That is not an e-mail address.</source>
        <translation>這不是有效的電子郵件地址。</translation>
    </message>
    <message>
        <source>Type a mobile number, an e-mail or a name.</source>
        <translation>請輸入手機號碼、電子郵件或姓名。</translation>
    </message>
    <message>
        <source>This customer is already a member: use Bind now.</source>
        <translation>此顧客已是會員，請使用「立即綁定」。</translation>
    </message>
    <message>
        <source>This customer is not a member yet: use Sign up.</source>
        <translation>此顧客尚未成為會員，請使用「註冊」。</translation>
    </message>
    <message>
        <source>This number was merged into another account and can&apos;t sign up.</source>
        <translation>此號碼已合併至其他帳號，無法註冊。</translation>
    </message>
    <message>
        <source>Search by mobile number to send this customer a sign-up SMS.</source>
        <translation>請以手機號碼搜尋，才能發送註冊簡訊給此顧客。</translation>
    </message>
    <message>
        <source>Wrong staff code or PIN.</source>
        <translation>員工編號或密碼錯誤。</translation>
    </message>
    <message>
        <source>Too many wrong PINs: this staff code is locked for a while.</source>
        <translation>密碼錯誤次數過多，此員工編號已暫時鎖定。</translation>
    </message>
    <message>
        <source>Too many wrong PINs today: ask a manager to unlock this staff code.</source>
        <translation>今日密碼錯誤次數過多，請店長為此員工編號解鎖。</translation>
    </message>
    <message>
        <source>This staff code was turned off. Please ask a manager.</source>
        <translation>此員工編號已停用，請洽店長。</translation>
    </message>
    <message>
        <source>This enrollment code is unknown, used or expired. Ask a manager for a new one.</source>
        <translation>此裝置註冊碼無效、已使用或已過期，請向店長索取新的註冊碼。</translation>
    </message>
    <message>
        <source>You were logged out. Please log in again.</source>
        <translation>您已登出，請重新登入。</translation>
    </message>
    <message>
        <source>Your shift session has ended. Please log in again.</source>
        <translation>您的值班登入已到期，請重新登入。</translation>
    </message>
    <message>
        <source>Logged out after being idle. Please log in again.</source>
        <translation>閒置過久已自動登出，請重新登入。</translation>
    </message>
    <message>
        <source>This binding has ended: tap Bind now again.</source>
        <translation>此綁定已結束，請再按一次「立即綁定」。</translation>
    </message>
    <message>
        <source>This computer has no safe place for the device key. Ask IT to set up the system keyring.</source>
        <translation>此電腦沒有安全存放裝置金鑰的位置，請資訊人員設定系統金鑰圈。</translation>
    </message>
    <message>
        <source>The server is busy. Please try again in a moment.</source>
        <translation>伺服器忙碌中，請稍後再試。</translation>
    </message>
    <message>
        <source>Your role can&apos;t do this. Ask a manager or head office.</source>
        <translation>你的權限不能做這件事，請找店長或總部。</translation>
    </message>
    <message>
        <source>This member no longer exists (merged or removed). Search again.</source>
        <translation>這位會員已不存在（已合併或刪除），請重新搜尋。</translation>
    </message>
    <message>
        <source>The member doesn&apos;t have that many points: deduct less.</source>
        <translation>會員的點數不夠，請少扣一點。</translation>
    </message>
    <message>
        <source>That mobile number or e-mail already belongs to another customer.</source>
        <translation>這個手機號碼或電子郵件已經屬於另一位顧客。</translation>
    </message>
    <message>
        <source>This account was merged into another member: open that one instead.</source>
        <translation>這個帳號已合併到另一位會員，請改開啟那一位。</translation>
    </message>
    <message>
        <source>This member&apos;s personal data was erased: it can&apos;t be changed.</source>
        <translation>這位會員的個人資料已刪除，無法修改。</translation>
    </message>
    <message>
        <source>That level no longer exists. Choose another one.</source>
        <translation>這個等級已不存在，請選擇其他等級。</translation>
    </message>
    <message>
        <source>The birthday can&apos;t be in the future.</source>
        <translation>生日不能是未來的日期。</translation>
    </message>
    <message>
        <source>A name or an e-mail can be changed but not left empty.</source>
        <translation>姓名和電子郵件可以修改，但不能留空。</translation>
    </message>
    <message>
        <source>The list changed while loading. Please try again.</source>
        <translation>載入時名單有變動，請再試一次。</translation>
    </message>
    <message>
        <source>The export was cancelled.</source>
        <translation>已取消匯出。</translation>
    </message>
    <message>
        <source>The file could not be saved there. Choose another folder.</source>
        <translation>檔案無法存在那裡，請換一個資料夾。</translation>
    </message>
    <message>
        <source>Something typed can&apos;t be used. Check the fields, then try again.</source>
        <translation>有輸入的內容無法使用，請檢查欄位後再試一次。</translation>
    </message>
    <message>
        <source>Some have no e-mail address.</source>
        <translation>有些人沒有電子郵件。</translation>
    </message>
    <message>
        <source>Some have no mobile number, which signing up needs.</source>
        <translation>有些人沒有手機號碼，註冊需要手機號碼。</translation>
    </message>
    <message>
        <source>Some are members already.</source>
        <translation>有些人已經是會員。</translation>
    </message>
    <message>
        <source>Some are no longer in the list.</source>
        <translation>有些人已不在名單中。</translation>
    </message>
    <message>
        <source>Some were invited recently already.</source>
        <translation>有些人最近已經邀請過了。</translation>
    </message>
    <message>
        <source>Some were merged into another account.</source>
        <translation>有些人已合併到其他帳號。</translation>
    </message>
    <message>
        <source>Some could not be invited.</source>
        <translation>有些人無法邀請。</translation>
    </message>
    <message>
        <source>%1 can&apos;t receive SMS: the number is wrong, not in service or not a mobile.</source>
        <translation>%1 無法接收簡訊：號碼有誤、已停用，或不是手機號碼。</translation>
    </message>
    <message>
        <source>Ask the customer for another mobile number.</source>
        <translation>請向顧客詢問其他手機號碼。</translation>
    </message>
    <message>
        <source>Ask the customer to check their phone, then send again.</source>
        <translation>請顧客確認手機已開機、收得到訊號，再重新發送。</translation>
    </message>
    <message>
        <source>Check the number with the customer, then search again.</source>
        <translation>請與顧客核對號碼後重新搜尋。</translation>
    </message>
    <message>
        <source>Search again to find them, then use Bind now.</source>
        <translation>請重新搜尋，再按「立即綁定」。</translation>
    </message>
    <message>
        <source>Send again in a moment. If it keeps failing, tell a manager.</source>
        <translation>請稍後重新發送；若持續失敗，請告知店長。</translation>
    </message>
    <message>
        <source>The SMS service could not send it to %1.</source>
        <translation>簡訊服務無法發送至 %1。</translation>
    </message>
    <message>
        <source>The customer registered through another SMS: they are a member now.</source>
        <translation>顧客已透過另一則簡訊完成註冊，現在已是會員。</translation>
    </message>
    <message>
        <source>The mobile carrier of %1 blocked the SMS.</source>
        <translation>%1 的電信業者攔截了這則簡訊。</translation>
    </message>
    <message>
        <source>The phone at %1 could not be reached: it may be off or have no signal.</source>
        <translation>無法送達 %1：手機可能已關機或收不到訊號。</translation>
    </message>
    <message>
        <source>The registration link has expired.</source>
        <translation>註冊連結已過期。</translation>
    </message>
    <message>
        <source>The server can&apos;t be reached. Check the network connection, then try again.</source>
        <translation>無法連線到伺服器。請檢查網路連線後再試一次。</translation>
    </message>
    <message>
        <source>This invitation was cancelled.</source>
        <translation>此邀請已取消。</translation>
    </message>
    <message>
        <source>Check the number, then send a new SMS.</source>
        <translation>請先核對號碼，再發送新的簡訊。</translation>
    </message>
    <message>
        <source>Send again to send a new link to %1.</source>
        <translation>按「重新發送」即可發送新的連結至 %1。</translation>
    </message>
</context>
<context>
    <name>Numpad</name>
    <message>
        <source>Delete</source>
        <translation>刪除</translation>
    </message>
</context>
<context>
    <name>OnScreenKeyboard</name>
    <message>
        <source>No Chinese on this keyboard: search a Chinese name by mobile number or e-mail.</source>
        <translation>此鍵盤無法輸入中文：中文姓名請改用手機號碼或電子郵件搜尋。</translation>
    </message>
    <message>
        <source>space</source>
        <translation>空格</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜尋</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>大寫</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>刪除</translation>
    </message>
    <message>
        <source>Hide the keyboard</source>
        <translation>隱藏鍵盤</translation>
    </message>
</context>
<context>
    <name>OverviewCards</name>
    <message>
        <source>Members in all</source>
        <translation>會員總數</translation>
    </message>
    <message>
        <source>New in the last 7 days</source>
        <translation>近 7 天新會員</translation>
    </message>
    <message>
        <source>Other levels</source>
        <translation>其他等級</translation>
    </message>
</context>
<context>
    <name>QrView</name>
    <message>
        <source>QR code for the customer to scan</source>
        <translation>供顧客掃描的 QR Code</translation>
    </message>
</context>
<context>
    <name>RegistrationsByStaff</name>
    <message>
        <source>All staff</source>
        <translation>全體人員</translation>
    </message>
    <message>
        <source>Not recorded</source>
        <translation>未記錄人員</translation>
    </message>
    <message>
        <source>New members by staff</source>
        <translation>各人員新增會員</translation>
    </message>
    <message>
        <source>No members joined on these days.</source>
        <translation>這段期間沒有新加入的會員。</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>會員數</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>人員</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>門市</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>占比</translation>
    </message>
</context>
<context>
    <name>RegistrationsByStore</name>
    <message>
        <source>New members by store</source>
        <translation>各門市新增會員</translation>
    </message>
    <message>
        <source>new member</source>
        <translation>位新會員</translation>
    </message>
    <message>
        <source>new members</source>
        <translation>位新會員</translation>
    </message>
    <message>
        <source>No members joined on these days.</source>
        <translation>這段期間沒有新加入的會員。</translation>
    </message>
    <message>
        <source>Other stores</source>
        <translation>其他門市</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>門市</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>會員數</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>占比</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合計</translation>
    </message>
</context>
<context>
    <name>ReportsScreen</name>
    <message>
        <source>From which day?</source>
        <translation>從哪一天開始？</translation>
    </message>
    <message>
        <source>To which day?</source>
        <translation>到哪一天為止？</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>報表</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>重新整理</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>近 7 天</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>近 30 天</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>Pick days</source>
        <translation>自訂日期</translation>
    </message>
    <message>
        <source>By store</source>
        <translation>依門市</translation>
    </message>
    <message>
        <source>By staff</source>
        <translation>依人員</translation>
    </message>
    <message>
        <source>SMS and cost</source>
        <translation>簡訊與費用</translation>
    </message>
    <message>
        <source>1 day</source>
        <translation>1 天</translation>
    </message>
    <message>
        <source>%1 days</source>
        <translation>%1 天</translation>
    </message>
    <message>
        <source>%1 to %2 · %3</source>
        <translation>%1 至 %2 · 共 %3</translation>
    </message>
    <message>
        <source>From %1</source>
        <translation>從 %1</translation>
    </message>
    <message>
        <source>To %1</source>
        <translation>到 %1</translation>
    </message>
</context>
<context>
    <name>ResultsScreen</name>
    <message>
        <source>No customer matches</source>
        <translation>查無相符的顧客</translation>
    </message>
    <message>
        <source>To sign up a new customer, search by their mobile number.</source>
        <translation>要為新顧客註冊，請以手機號碼搜尋。</translation>
    </message>
    <message>
        <source>1 customer matches</source>
        <translation>找到 1 位相符的顧客</translation>
    </message>
    <message>
        <source>%1 customers match</source>
        <translation>找到 %1 位相符的顧客</translation>
    </message>
    <message>
        <source>Tap the customer at the counter.</source>
        <translation>請點選櫃台前的這位顧客。</translation>
    </message>
    <message>
        <source>Search by mobile number</source>
        <translation>改用手機號碼搜尋</translation>
    </message>
    <message>
        <source>New search</source>
        <translation>重新搜尋</translation>
    </message>
</context>
<context>
    <name>SearchScreen</name>
    <message>
        <source>Member Search</source>
        <translation>會員搜尋</translation>
    </message>
    <message>
        <source>Customer&apos;s mobile number</source>
        <translation>顧客的手機號碼</translation>
    </message>
    <message>
        <source>e.g. 0912 345 678 or +886 912 345 678</source>
        <translation>例如 0912 345 678 或 +886 912 345 678</translation>
    </message>
    <message>
        <source>Search by email or customer name</source>
        <translation>改用電子郵件或顧客姓名搜尋</translation>
    </message>
    <message>
        <source>Customer&apos;s e-mail or name</source>
        <translation>顧客的電子郵件或姓名</translation>
    </message>
    <message>
        <source>E-mail or customer name</source>
        <translation>電子郵件或顧客姓名</translation>
    </message>
    <message>
        <source>Search by mobile number</source>
        <translation>改用手機號碼搜尋</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>搜尋中…</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>確認</translation>
    </message>
    <message>
        <source>Type on the keyboard, then tap Confirm.</source>
        <translation>用鍵盤輸入後，點「確認」。</translation>
    </message>
</context>
<context>
    <name>Shell</name>
    <message>
        <source>OMO Counter</source>
        <translation>OMO 櫃台</translation>
    </message>
    <message>
        <source>You were logged out after a while without activity. Please log in again.</source>
        <translation>閒置一段時間後已自動登出，請重新登入。</translation>
    </message>
    <message>
        <source>Your shift session has ended. Please log in again.</source>
        <translation>您的值班登入已到期，請重新登入。</translation>
    </message>
</context>
<context>
    <name>SmsPromptScreen</name>
    <message>
        <source>Ask the customer: did the SMS arrive?</source>
        <translation>請問顧客：有收到簡訊嗎？</translation>
    </message>
    <message>
        <source>Delivered to the phone.</source>
        <translation>簡訊已送達手機。</translation>
    </message>
    <message>
        <source>The SMS did not reach the phone</source>
        <translation>簡訊未送達手機</translation>
    </message>
    <message>
        <source>The link works until %1</source>
        <translation>連結有效至 %1</translation>
    </message>
    <message>
        <source>SMS received</source>
        <translation>已收到簡訊</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>再次確認</translation>
    </message>
    <message>
        <source>Check again cancels the link already sent.</source>
        <translation>按「再次確認」會取消已發送的連結。</translation>
    </message>
    <message>
        <source>Check again cancels this SMS and its link.</source>
        <translation>按「再次確認」會取消這則簡訊及其連結。</translation>
    </message>
    <message>
        <source>Check the number</source>
        <translation>核對號碼</translation>
    </message>
    <message>
        <source>It takes a few seconds. Then ask the customer whether it arrived.</source>
        <translation>需要幾秒鐘，之後請詢問顧客是否收到。</translation>
    </message>
    <message>
        <source>Please wait…</source>
        <translation>請稍候…</translation>
    </message>
    <message>
        <source>SMS sent to %1</source>
        <translation>已發送簡訊至 %1</translation>
    </message>
    <message>
        <source>Search again</source>
        <translation>重新搜尋</translation>
    </message>
    <message>
        <source>Send again</source>
        <translation>重新發送</translation>
    </message>
    <message>
        <source>Send again (%1)</source>
        <translation>重新發送（%1）</translation>
    </message>
    <message>
        <source>Sending the SMS to %1…</source>
        <translation>正在發送簡訊至 %1…</translation>
    </message>
    <message>
        <source>The SMS could not be sent</source>
        <translation>簡訊無法發送</translation>
    </message>
    <message>
        <source>The customer has opened the link.</source>
        <translation>顧客已開啟連結。</translation>
    </message>
    <message>
        <source>The customer is a member now</source>
        <translation>顧客已是會員</translation>
    </message>
    <message>
        <source>This registration link no longer works</source>
        <translation>此註冊連結已失效</translation>
    </message>
</context>
<context>
    <name>SmsUsage</name>
    <message>
        <source>Not from a store</source>
        <translation>非門市發送</translation>
    </message>
    <message>
        <source>SMS sent and their cost</source>
        <translation>簡訊發送量與費用</translation>
    </message>
    <message>
        <source>No SMS were sent on these days.</source>
        <translation>這段期間沒有發送簡訊。</translation>
    </message>
    <message>
        <source>SMS</source>
        <translation>簡訊數</translation>
    </message>
    <message>
        <source>Segments</source>
        <translation>計費則數</translation>
    </message>
    <message>
        <source>Cost at %1 a segment, as set by head office.</source>
        <translation>費用以每則 %1 計算（總部設定）。</translation>
    </message>
    <message>
        <source>No price per SMS segment is set yet, so costs are not shown. Head office sets it.</source>
        <translation>尚未設定每則簡訊單價，因此不顯示費用。單價由總部設定。</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>門市</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>費用</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合計</translation>
    </message>
</context>
<context>
    <name>SuccessScreen</name>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Referral: %1</source>
        <translation>推薦：%1</translation>
    </message>
    <message>
        <source>Bound to %1</source>
        <translation>已綁定：%1</translation>
    </message>
    <message>
        <source>Referral recorded %1</source>
        <translation>推薦紀錄時間：%1</translation>
    </message>
    <message>
        <source>New member registered</source>
        <translation>新會員註冊完成</translation>
    </message>
    <message>
        <source>Member confirmed</source>
        <translation>會員確認完成</translation>
    </message>
    <message>
        <source>The referral stays with %1, since %2: binding here does not change it.</source>
        <translation>推薦維持為%1（%2 起），在此綁定不會變更。</translation>
    </message>
    <message>
        <source>Back to Member Search in %1 s</source>
        <translation>%1 秒後回到會員搜尋</translation>
    </message>
    <message>
        <source>LINE linked</source>
        <translation>已連結 LINE</translation>
    </message>
    <message>
        <source>LINE linked · added as friend</source>
        <translation>已連結 LINE · 已加入好友</translation>
    </message>
    <message>
        <source>LINE linked · not a friend yet</source>
        <translation>已連結 LINE · 尚未加入好友</translation>
    </message>
    <message>
        <source>LINE skipped</source>
        <translation>已略過 LINE</translation>
    </message>
    <message>
        <source>LINE not linked</source>
        <translation>未連結 LINE</translation>
    </message>
</context>
<context>
    <name>WaitingScreen</name>
    <message>
        <source>The server can&apos;t be reached.</source>
        <translation>無法連線到伺服器。</translation>
    </message>
    <message>
        <source>The sign-up SMS to %1 will be sent once it is back — only once.</source>
        <translation>伺服器恢復後，會發送註冊簡訊至 %1，且只會發送一次。</translation>
    </message>
    <message>
        <source>Check again cancels this SMS so you can check the number and try again.</source>
        <translation>按「再次確認」會取消這則簡訊，讓您核對號碼後再試一次。</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>再次確認</translation>
    </message>
</context>
<context>
    <name>WebhooksScreen</name>
    <message>
        <source>Type the receiver&apos;s address, starting with https://.</source>
        <translation>請輸入接收端網址，以 https:// 開頭。</translation>
    </message>
    <message>
        <source>Choose at least one event.</source>
        <translation>請至少選擇一種事件。</translation>
    </message>
    <message>
        <source>Copied.</source>
        <translation>已複製。</translation>
    </message>
    <message>
        <source>Member added</source>
        <translation>新增會員</translation>
    </message>
    <message>
        <source>Signed up at a store</source>
        <translation>門市註冊</translation>
    </message>
    <message>
        <source>Member linked at a store</source>
        <translation>門市綁定會員</translation>
    </message>
    <message>
        <source>Accounts merged</source>
        <translation>帳號合併</translation>
    </message>
    <message>
        <source>Member erased</source>
        <translation>刪除會員資料</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>傳送中</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>已送達</translation>
    </message>
    <message>
        <source>Given up</source>
        <translation>已放棄</translation>
    </message>
    <message>
        <source>Webhooks</source>
        <translation>Webhook 通知</translation>
    </message>
    <message>
        <source>Your systems are told at once when members sign up, are added, linked, merged or erased. Each message is signed with the endpoint&apos;s secret.</source>
        <translation>會員註冊、新增、綁定、合併或刪除資料時，立即通知您的系統。每則通知都以該端點的密鑰簽章。</translation>
    </message>
    <message>
        <source>Receiver&apos;s address, e.g. https://crm.example.com/omo</source>
        <translation>接收端網址，例如 https://crm.example.com/omo</translation>
    </message>
    <message>
        <source>Adding…</source>
        <translation>新增中…</translation>
    </message>
    <message>
        <source>Add endpoint</source>
        <translation>新增端點</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>複製</translation>
    </message>
    <message>
        <source>Keep it</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>重新整理</translation>
    </message>
    <message>
        <source>Turn off</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>Turn on</source>
        <translation>啟用</translation>
    </message>
    <message>
        <source>Make new secret now</source>
        <translation>立即產生新密鑰</translation>
    </message>
    <message>
        <source>New secret</source>
        <translation>產生新密鑰</translation>
    </message>
    <message>
        <source>Delete now</source>
        <translation>立即刪除</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>刪除</translation>
    </message>
    <message>
        <source>Make a new secret for %1? The old one stops at once: the receiver needs the new one.</source>
        <translation>要為 %1 產生新密鑰嗎？舊密鑰立即失效，接收端須改用新密鑰。</translation>
    </message>
    <message>
        <source>Delete %1 and its delivery log? This can&apos;t be undone.</source>
        <translation>要刪除 %1 及其傳送紀錄嗎？此動作無法復原。</translation>
    </message>
    <message>
        <source>Loading the webhooks…</source>
        <translation>正在載入 Webhook…</translation>
    </message>
    <message>
        <source>No webhooks yet.</source>
        <translation>尚未建立 Webhook。</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>網址</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>狀態</translation>
    </message>
    <message>
        <source>On</source>
        <translation>啟用中</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>Signing secret for %1: copy it now, it is not shown again.</source>
        <translation>%1 的簽章密鑰：請立即複製，之後不會再顯示。</translation>
    </message>
    <message>
        <source>Delivery log</source>
        <translation>傳送紀錄</translation>
    </message>
    <message>
        <source>Show older</source>
        <translation>顯示較早的紀錄</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>時間</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>回應</translation>
    </message>
    <message>
        <source>Tries</source>
        <translation>嘗試次數</translation>
    </message>
    <message>
        <source>Next try</source>
        <translation>下次嘗試</translation>
    </message>
</context>
</TS>
