"""The privacy feature's interface: other features, the views and the CLI call only this.

- `access`: a resident's access answer (my-data)
- `erasure`: a resident's erasure
- `retention`: the purge of what has passed its retention period
- `keys`: re-encrypting and re-hashing every NIK under new keys
"""

from scheduler.privacy.access import describe, my_data, my_data_for_token, open_my_data
from scheduler.privacy.erasure import erase_my_data
from scheduler.privacy.keys import remaining_under_old_keys, rotate_keys
from scheduler.privacy.retention import count_due, kept_until, purge

__all__ = [
    "count_due",
    "describe",
    "erase_my_data",
    "kept_until",
    "my_data",
    "my_data_for_token",
    "open_my_data",
    "purge",
    "remaining_under_old_keys",
    "rotate_keys",
]
