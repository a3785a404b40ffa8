"""How the client's address is read, with or without the TLS proxy (BEHIND_TLS_PROXY).

Our one proxy appends the address it sees to whatever X-Forwarded-For the client sent,
so the client is the header's last entry. In django-ipware's terms: no further proxy in
the chain (count 0, not strict) and the entry nearest the end, so that a forged
"6.6.6.6, " in front is ignored. Without the proxy only REMOTE_ADDR counts. The lockout
(accounts/lockout.py) keys on this address; accounts/tests/test_login.py proves both.
"""


def client_address_settings(behind_proxy: bool) -> dict:
    if not behind_proxy:
        return {
            "AXES_IPWARE_PROXY_COUNT": None,
            "AXES_IPWARE_META_PRECEDENCE_ORDER": ["REMOTE_ADDR"],
            "AXES_IPWARE_PROXY_ORDER": "left-most",
            "IPWARE_STRICT": False,
        }
    return {
        "AXES_IPWARE_PROXY_COUNT": 0,
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        "AXES_IPWARE_PROXY_ORDER": "left-most",
        "IPWARE_STRICT": False,
    }
