"""The process before the day (and its retention): the core group and its drafts,
everyone involved, preparation conversations, information needs and informants,
invitations and the go/no-go. Imported by the facilitator's and the participant's pages,
the console's phase move (the go/no-go at the start), the plan's record (`shared.signing`)
and the command line; it uses `shared.meeting` (joining) and `shared.kaders` (a settled
kader) one way."""
