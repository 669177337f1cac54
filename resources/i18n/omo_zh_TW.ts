<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_TW" sourcelanguage="en">
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
</context>
<context>
    <name>Numpad</name>
    <message>
        <source>Delete</source>
        <translation>刪除</translation>
    </message>
</context>
<context>
    <name>QrView</name>
    <message>
        <source>QR code for the customer to scan</source>
        <translation>供顧客掃描的 QR Code</translation>
    </message>
</context>
</TS>
