"""The password hasher: Argon2id sized for the small servers Phteah runs on.

Django's default Argon2 parameters (100 MiB, 2 passes, 8 lanes) assume eight cores and plenty
of memory: on a 2-core provincial server a sign-in takes ~120 ms of CPU and every concurrent
sign-in holds 100 MiB, so fifty people signing in at the start of the working day need 5 GB.
OWASP's Password Storage Cheat Sheet recommends at least 46 MiB with 1 pass and 1 lane (or
19 MiB with 2 passes); we use 46 MiB with 2 passes and 2 lanes — above that minimum in
memory × time, ~40 ms per sign-in on 2 cores. Hashes made with other parameters (Django's
defaults) are re-hashed with these at the next sign-in (Django's ``must_update``)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PhteahArgon2PasswordHasher(Argon2PasswordHasher):
    """Same algorithm name ("argon2") as Django's, so existing hashes keep verifying."""

    time_cost = 2
    memory_cost = 46 * 1024  # KiB
    parallelism = 2
