"""The city's payment provider, chosen by the settings (CITATIONS_PAYMENT_PROVIDER).

`configured()` gives the provider the settings name: None when paying online is off (the
default), the built-in `TestProvider` (the demo and tests: it moves no money), or
`StripeProvider` with the city's keys.
"""

from __future__ import annotations

import logging
import secrets
from functools import cache

from citations.online.providers.base import (
    BadSignature,
    CallbackEvent,
    Checkout,
    Outcome,
    Provider,
    ProviderError,
    ProviderUnavailable,
)
from citations.online.providers.stripe import StripeProvider
from citations.online.providers.test_provider import TestProvider
from citations.settings import Settings, get_settings

__all__ = [
    "BadSignature",
    "CallbackEvent",
    "Checkout",
    "Outcome",
    "Provider",
    "ProviderError",
    "ProviderUnavailable",
    "StripeProvider",
    "TestProvider",
    "configured",
]

log = logging.getLogger(__name__)


@cache
def _warn_test_provider() -> None:
    log.warning("the TEST payment provider is on: its page approves payments, no money moves")


@cache
def _process_secret() -> str:
    """The test provider's secret when none is set: one per process (its page signs and its
    callback checks in the same process)."""
    return secrets.token_hex(32)


def configured(settings: Settings | None = None) -> Provider | None:
    """The provider the settings name, or None when paying online is off.

    >>> configured(Settings(payment_provider="none")) is None
    True
    >>> configured(Settings(payment_provider="test")).name
    'test'
    """
    settings = settings or get_settings()
    if settings.payment_provider == "test":
        _warn_test_provider()
        secret = settings.test_provider_secret
        return TestProvider(secret.get_secret_value() if secret else _process_secret())
    if settings.payment_provider == "stripe":
        assert settings.stripe_secret_key and settings.stripe_webhook_secret  # the validator's
        return StripeProvider(
            settings.stripe_secret_key.get_secret_value(),
            settings.stripe_webhook_secret.get_secret_value(),
            api_base=settings.stripe_api_base,
        )
    return None
