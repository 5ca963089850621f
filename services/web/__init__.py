"""The console: customer self-service pages and the agent console, a client of the public API."""
