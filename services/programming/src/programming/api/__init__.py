"""HTTP and WebSocket endpoints of the programming service."""

from programming.api import agent_ws, agents, releases, sessions

ROUTERS = [agents.router, releases.router, sessions.router, agent_ws.router]

__all__ = ["ROUTERS"]
