"""DoIP (ISO 13400-2) over TCP: the codec and the asyncio entity."""

from vehicle_sim.doip.entity import CAN_500K_PAYLOAD_BYTES_PER_S, DoipEntity

__all__ = ["CAN_500K_PAYLOAD_BYTES_PER_S", "DoipEntity"]
