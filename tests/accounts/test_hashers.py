from django.contrib.auth.hashers import check_password, get_hasher, identify_hasher, make_password

from phteah.accounts.hashers import PhteahArgon2PasswordHasher

DJANGO_DEFAULT = "django.contrib.auth.hashers.Argon2PasswordHasher"
OURS = "phteah.accounts.hashers.PhteahArgon2PasswordHasher"


def test_passwords_are_hashed_with_argon2id_at_least_at_the_owasp_minimum(settings):
    settings.PASSWORD_HASHERS = [OURS]
    encoded = make_password("a long passphrase")
    assert encoded.startswith("argon2$argon2id$")
    params = PhteahArgon2PasswordHasher().params()
    # OWASP: at least 46 MiB with 1 pass (or 19 MiB with 2); we use 46 MiB with 2 passes.
    assert params.memory_cost >= 46 * 1024 and params.time_cost >= 2
    assert check_password("a long passphrase", encoded)
    assert not check_password("another passphrase", encoded)


def test_hashes_made_with_djangos_defaults_still_verify_and_are_upgraded(settings):
    settings.PASSWORD_HASHERS = [DJANGO_DEFAULT]
    old = make_password("a long passphrase")
    settings.PASSWORD_HASHERS = [OURS]
    upgraded = []
    assert check_password("a long passphrase", old, setter=upgraded.append)
    assert upgraded == ["a long passphrase"]  # Django re-hashes it with our parameters
    assert identify_hasher(old).algorithm == get_hasher().algorithm == "argon2"
