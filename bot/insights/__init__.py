"""What officials learn from the bot's use: statistics, charts, unanswered-question groups."""
