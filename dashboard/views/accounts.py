"""账号: what the administrator sees — the accounts (never a password hash) and the
commands that change them. No district's or the city's figures: the administrator's
session reads no warehouse file at all (dashboard/auth.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, ui
from schoolwh.accounts import ROLES

lang = ui.lang()
account = auth.current_account()
if account is None or account.role != "admin":  # the page checks its own scope
    st.stop()


def _t(zh: str, en: str) -> str:
    return zh if lang == "zh" else en


st.title(_t("账号", "Accounts"))
rows = [
    {
        _t("用户名", "User name"): a.name,
        _t("角色", "Role"): ROLES[a.role][0 if lang == "zh" else 1],
        _t("区县", "Districts"): "、".join(a.districts) or _t("全部", "all"),
        _t("创建时间", "Created"): a.created_at,
    }
    for a in auth.store().list()
]
st.dataframe(pd.DataFrame(rows), hide_index=True)
st.caption(
    _t(
        "账号在服务器上用命令管理（添加、改密码、退出所有登录、删除）：",
        "Accounts are managed on the server with these commands (add, new password, log "
        "out everywhere, remove):",
    )
)
st.code(
    "schoolwh users add NAME --role district --district 410105\n"
    "schoolwh users passwd NAME\n"
    "schoolwh users logout NAME\n"
    "schoolwh users remove NAME",
    language="bash",
)
