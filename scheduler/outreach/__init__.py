"""Outreach (jemput bola): requests from schools and villages, sessions, rosters, coverage."""
