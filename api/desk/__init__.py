"""The people who take over from the bot: agents, their presence and queue, replies, ratings, tickets and the service desk the actions talk to."""
