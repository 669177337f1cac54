"""How many SMS parts a body is billed as."""

from __future__ import annotations

import pytest

from omo_backend.messaging.segments import sms_segments


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        pytest.param("", 1, id="empty-still-one-message"),
        pytest.param("Your OMO sign-up link: https://omo.example/r/abc", 1, id="plain"),
        pytest.param("a" * 160, 1, id="gsm-160-fits-one"),
        pytest.param("a" * 161, 2, id="gsm-161-needs-two"),
        pytest.param("a" * 306, 2, id="gsm-two-full-parts"),
        pytest.param("a" * 307, 3, id="gsm-three-parts"),
        pytest.param("Δ Ø ñ ü £ ¥ é @ _ §" * 8, 1, id="gsm-accents-are-one-septet"),
    ],
)
def test_gsm7_counts_160_single_and_153_per_part(body: str, segments: int) -> None:
    assert sms_segments(body) == segments


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        pytest.param("€" * 80, 1, id="euro-counts-two-160"),
        pytest.param("€" * 81, 2, id="euro-counts-two-162"),
        pytest.param("a" * 159 + "{", 2, id="one-brace-tips-over"),
        pytest.param("a" * 158 + "[", 1, id="bracket-just-fits"),
        pytest.param("^{}\\[~]|€" * 8, 1, id="extension-table-144-septets"),
        pytest.param("^{}\\[~]|€" * 9, 2, id="extension-table-162-septets"),
        # Part one holds 152 'a' and cannot take half of the euro's escape pair, so the
        # 306 septets need three parts, not two.
        pytest.param("a" * 152 + "€" + "a" * 152, 3, id="escape-pair-never-split"),
    ],
)
def test_gsm7_extension_characters_count_two(body: str, segments: int) -> None:
    assert sms_segments(body) == segments


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        pytest.param("您好，歡迎加入會員", 1, id="short-chinese"),
        pytest.param("中" * 70, 1, id="ucs2-70-fits-one"),
        pytest.param("中" * 71, 2, id="ucs2-71-needs-two"),
        pytest.param("中" * 134, 2, id="ucs2-two-full-parts"),
        pytest.param("中" * 135, 3, id="ucs2-three-parts"),
        pytest.param("a" * 69 + "ç", 1, id="one-non-gsm-char-switches-to-ucs2"),
        pytest.param("a" * 70 + "ç", 2, id="ucs2-for-the-whole-message"),
        pytest.param("😀" * 35, 1, id="emoji-are-two-code-units"),
        pytest.param("😀" * 36, 2, id="emoji-72-units"),
        pytest.param("中" * 66 + "😀" + "中" * 66, 3, id="surrogate-pair-never-split"),
    ],
)
def test_anything_else_is_ucs2_70_single_and_67_per_part(body: str, segments: int) -> None:
    assert sms_segments(body) == segments


def test_a_real_long_chinese_invitation_is_three_parts() -> None:
    body = (
        "【OMO 台北旗艦店】感謝您今天的光臨！請點選以下連結完成會員註冊，即可享有首購九折、"
        "生日禮與點數回饋等專屬優惠。連結將於兩小時後失效，若非本人操作請忽略此訊息。"
        "https://omo.example/r/9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    )
    units = len(body.encode("utf-16-le")) // 2
    assert 134 < units <= 201
    assert sms_segments(body) == 3
