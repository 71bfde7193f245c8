"""Money and alternatives: payments, plans, daily processing, ability to pay, community
service, diversion and collections."""
