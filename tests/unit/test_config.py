"""Settings from PLANDAG_ variables."""

import ipaddress
import stat

import pytest

from shared.config import Settings, lan_address


def test_defaults_put_sqlite_in_the_instance_folder(tmp_path):
    settings = Settings.from_env({"PLANDAG_INSTANCE_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'plandag.db'}"
    assert settings.async_mode == "gevent"
    assert settings.redis_url is None
    assert (settings.host, settings.port) == ("0.0.0.0", 5000)


def test_every_setting_comes_from_the_environment(tmp_path):
    settings = Settings.from_env(
        {
            "PLANDAG_INSTANCE_DIR": str(tmp_path),
            "PLANDAG_DATABASE_URL": "postgresql://plandag@db/plandag",
            "PLANDAG_SECRET_KEY": "s3cret",
            "PLANDAG_PUBLIC_URL": "https://plandag.example.org/",
            "PLANDAG_REDIS_URL": "redis://localhost:6379/0",
            "PLANDAG_ASYNC_MODE": "eventlet",
            "PLANDAG_COALESCE_MS": "100",
            "HOST": "127.0.0.1",
            "PORT": "8080",
        }
    )
    assert settings.database_url == "postgresql://plandag@db/plandag"
    assert settings.ensure_secret_key() == "s3cret"
    assert settings.base_url() == "https://plandag.example.org"
    assert settings.redis_url == "redis://localhost:6379/0"
    assert settings.async_mode == "eventlet" and settings.coalesce_ms == 100
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)


def test_an_unknown_async_mode_is_refused(tmp_path):
    with pytest.raises(ValueError, match="PLANDAG_ASYNC_MODE"):
        Settings.from_env({"PLANDAG_INSTANCE_DIR": str(tmp_path), "PLANDAG_ASYNC_MODE": "asyncio"})


def test_a_generated_secret_key_is_private_and_survives_a_restart(tmp_path):
    first = Settings.from_env({"PLANDAG_INSTANCE_DIR": str(tmp_path)}).ensure_secret_key()
    again = Settings.from_env({"PLANDAG_INSTANCE_DIR": str(tmp_path)}).ensure_secret_key()
    assert first == again and len(first) >= 48
    mode = (tmp_path / "secret_key").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_the_join_url_uses_the_lan_address_not_localhost(tmp_path):
    settings = Settings.from_env({"PLANDAG_INSTANCE_DIR": str(tmp_path), "PORT": "5123"})
    url = settings.base_url()
    assert url.endswith(":5123")
    address = lan_address()
    if address is not None:  # a machine with a network interface
        assert url == f"http://{address}:5123"
        assert not ipaddress.ip_address(address).is_loopback


def test_a_postgresql_url_keeps_its_password_on_the_way_to_the_driver():
    """The engine gets the URL itself: its text form masks the password ("***"), which
    made every PostgreSQL server with a password fail to log in."""
    from shared.core.db import make_engine

    engine = make_engine("postgresql://plandag:s3cret@db.example.org/plandag")
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.url.password == "s3cret"
    engine.dispose()
