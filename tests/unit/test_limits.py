from shared.core.limits import Limiter


def test_a_limiter_allows_up_to_the_limit_per_key_then_refuses():
    limiter = Limiter(3, window=60)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b") is True


def test_a_zero_limit_means_no_limit():
    limiter = Limiter(0)
    assert all(limiter.allow("a") for _ in range(1000))


def test_old_hits_leave_the_window():
    limiter = Limiter(1, window=0.05)
    assert limiter.allow("a") and not limiter.allow("a")
    import time

    time.sleep(0.06)
    assert limiter.allow("a")


def test_the_key_table_stays_bounded():
    limiter = Limiter(1, window=60, max_keys=10)
    for i in range(100):
        limiter.allow(f"k{i}")
    assert len(limiter._hits) <= 10
