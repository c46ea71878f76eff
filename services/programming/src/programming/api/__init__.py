"""HTTP and WebSocket endpoints of the programming service."""

from programming.api import agent_ws, agents, downloads, releases, sessions

ROUTERS = [agents.router, releases.router, downloads.router, sessions.router, agent_ws.router]

__all__ = ["ROUTERS"]
