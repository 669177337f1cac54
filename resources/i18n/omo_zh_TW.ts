<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_TW" sourcelanguage="en">
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
