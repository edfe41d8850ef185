"""A capped list of recently seen items in Redis: newest first, no duplicates, with a TTL.

One push is LREM (drop the item if it is already there), LPUSH (put it first), LTRIM (cut the
list back to its cap) and EXPIRE, queued in one MULTI/EXEC. Redis runs the four together, so no
reader, and no other push, ever sees the item twice or the list one over its cap.
"""

from __future__ import annotations

import redis

from day17.validation import check_key, check_limit, check_name, check_ttl

#: The largest cap a list may have.
MAX_LIMIT = 1000
#: The longest item kept: an id or a short title, not a document.
MAX_ITEM_LENGTH = 200


class RecentItems:
    """The last ``limit`` distinct items pushed under ``key``, newest first.

    With ``ttl`` the list disappears that many seconds after the last push (each push renews it).
    """

    def __init__(self, client: redis.Redis, key: str, limit: int = 10, ttl: int | None = None):
        self.client = client
        self.key = check_key(key)
        self.limit = check_limit(limit, "limit", MAX_LIMIT)
        self.ttl = None if ttl is None else check_ttl(ttl)

    def push(self, item: str) -> None:
        """Make ``item`` the newest; an item already in the list moves to the front."""
        item = check_name(item, "item", MAX_ITEM_LENGTH)
        # practice 1: move the item to the front, cap the list and renew its TTL in one MULTI
        # hint: one transactional pipeline: LREM, LPUSH, LTRIM, and EXPIRE when there is a ttl.
        with self.client.pipeline(transaction=True) as pipe:
            pipe.lrem(self.key, 0, item)
            pipe.lpush(self.key, item)
            pipe.ltrim(self.key, 0, self.limit - 1)
            if self.ttl is not None:
                pipe.expire(self.key, self.ttl)
            pipe.execute()
        # end practice 1

    def items(self) -> list[str]:
        """The items, newest first."""
        return list(self.client.lrange(self.key, 0, self.limit - 1))

    def seconds_left(self) -> int | None:
        """The list's TTL in seconds; ``None`` when it never expires or does not exist."""
        ttl = int(self.client.ttl(self.key))
        return ttl if ttl >= 0 else None
