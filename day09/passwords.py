"""Password hashing with Argon2id: hash, verify, rehash when the parameters change."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    """Hashes and checks passwords with one set of Argon2id parameters.

    The defaults are argon2-cffi's (RFC 9106's low-memory choice: 3 passes over 64 MiB, 4 lanes);
    tests pass tiny ones so that hashing costs microseconds instead of a fifth of a second.
    """

    def __init__(self, time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 4) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
        )
        # Made up front, so even the first unknown-user login costs what the others do.
        self._decoy_hash = self._hasher.hash("decoy password that no account uses")

    def hash(self, password: str) -> str:
        """A self-describing hash (``$argon2id$v=19$m=…,t=…,p=…$salt$digest``), salted afresh."""
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """Whether ``password`` matches ``stored_hash``; a corrupt hash never matches."""
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether ``stored_hash`` was made with other parameters than the current ones."""
        return self._hasher.check_needs_rehash(stored_hash)

    def verify_nothing(self, password: str) -> None:
        """Spend the time a real check costs, for a user that does not exist.

        Without it, "unknown user" answers faster than "wrong password", and the timing tells
        an attacker which usernames are registered.
        """
        self.verify(self._decoy_hash, password)
