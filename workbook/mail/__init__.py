"""The e-mail stage: what the messages say (messages.py), delivering them (deliver.py), SMTP or
.eml (transport.py).
"""
