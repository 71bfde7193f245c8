"""The library of the cited person's own pages (the public door): finding one's citation,
the person's sessions, what they see, and what they may do or ask for online.

Every step calls the same library function a clerk's step calls (contests, payments,
alternatives), with the cited person as the actor (citations.roles.cited_person), so every
rule and deadline holds the same and every event is audited as "the cited person, online".
"""
