"""How messages leave: email by SMTP, texts by the provider's API, letters by a mail house."""
