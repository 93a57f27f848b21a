"""The minimum password policy: long enough, not the user name, not a common password.

A password is refused when it is shorter than MIN_LENGTH, contains the user name (or the
name contains it), is one of the passwords most often found in leaked lists (English
and Chinese habits: keyboard rows, 520/1314 love numbers, pinyin names with digits), a
common word followed only by digits and signs (`password2025!`), a run of one or two
characters, or a run of consecutive digits or letters.
"""

from __future__ import annotations

import re

MIN_LENGTH = 10


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Lower case; only passwords of MIN_LENGTH or more matter (shorter ones are refused anyway).
COMMON = _words(
    """
    1234567890 0123456789 0987654321 9876543210 12345678910 123456789a a123456789
    1234567890a 123456789q q123456789 123456789abc abc123456789 1234567890q
    123123123123 123321123321 112233445566 111222333444 147258369147 1472583690
    1qaz2wsx3edc 1qaz2wsx3e 1q2w3e4r5t 1q2w3e4r5t6y 1q2w3e4r5t6y7u qwertyuiop
    qwertyuiop1 qwerty1234 qwerty12345 qwerty123456 asdfghjkl1 asdfghjkl123 asdfghjkl;
    zxcvbnm123 zxcvbnm1234 qazwsxedc1 qazwsxedc123 qazwsxedcrfv 1qazxsw23edc zaq12wsxcde3
    qweasdzxc1 qweasdzxc123 1234qwerasdf qwer1234qwer abcd1234abcd asdf1234asdf
    password12 password123 password1234 password2024 password2025 password2026
    passw0rd123 p@ssw0rd123 p@ssword123 pa$$word123 administrator admin123456
    admin12345 adminadmin root123456 welcome123 welcome1234 changeme123 letmein123
    iloveyou123 iloveyou1314 woaini1314 woaini520 woaini5201314 5201314520 1314520520
    5201314123 52013145201314 13145201314 woaini123456 woainimama woainibaobao
    aini1314520 wo5201314 zhang123456 wang123456 li12345678 liu123456 chen123456
    yang123456 zhao123456 huang123456 zhou123456 wu12345678 zhangwei123 wangwei123
    zhengzhou123 zhengzhou2025 henan123456 jiaoyuju123 jiaoyu123456 xuexiao123
    school123456 teacher123 student123 abcdefghij abcdefghijk abcdefg123 abc1234567
    aaaaaaaaaa aaaaaaaaaaaa aa123456789 aaa123456789 a1b2c3d4e5 a1s2d3f4g5 1a2b3c4d5e
    0000000000 1111111111 2222222222 5555555555 6666666666 8888888888 9999999999
    1234512345 1234554321 6666688888 8888866666 1314131413 1357924680 2468013579
    superman123 football123 baseball123 sunshine123 princess123 dragon1234 monkey1234
    master1234 shadow1234 michael123 computer123 internet123 trustno1trustno1
    """
)
# common words a password must not merely decorate with digits and signs
ROOTS = _words(
    "password passw0rd p@ssw0rd p@ssword pa$$word admin administrator root welcome changeme "
    "letmein iloveyou woaini qwerty qwertyuiop asdfgh asdfghjkl zxcvbnm abc abcd abcdef "
    "schoolwh school jiaoyuju jiaoyu xuexiao zhengzhou henan test guest user"
)
_KEYBOARD = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz")


def _is_run(text: str) -> bool:
    """One or two characters repeated, or consecutive keys/letters/digits (either way)."""
    if len(set(text)) <= 2:
        return True
    return any(text in row * 3 or text in row[::-1] * 3 for row in _KEYBOARD)


def password_problem(password: str, name: str | None = None) -> str | None:
    """Why a password is refused (Chinese / English), else None."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 个字符 / the password needs at least {MIN_LENGTH} characters"
    lowered = password.lower()
    folded = "".join(lowered.split())
    if name:
        lowered_name = name.lower()
        base = lowered_name.split("@")[0]
        if any(
            len(part) >= 3 and (part in folded or folded in part) for part in {lowered_name, base}
        ):
            return "密码不能包含用户名 / the password must not contain the user name"
    root = re.sub(r"[\d\W_]+$", "", folded)
    if folded in COMMON or root in ROOTS or _is_run(folded):
        return (
            "密码过于常见，容易被猜中，请换一个（可用几个词加数字）/ the password is too "
            "common and easily guessed: choose another (a few words and digits)"
        )
    return None


__all__ = ["COMMON", "MIN_LENGTH", "password_problem"]
