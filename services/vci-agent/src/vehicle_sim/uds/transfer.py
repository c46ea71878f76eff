"""Services 0x34 request download, 0x36 transfer data and 0x37 request transfer exit."""

from vehicle_sim.uds.addressing import parse_region_range
from vehicle_sim.uds.constants import NRC
from vehicle_sim.uds.context import EcuContext
from vehicle_sim.uds.reply import NegativeResponseError, Reply
from vehicle_sim.uds.state import Download

__all__ = ["request_download", "request_transfer_exit", "transfer_data"]


def _encode_block_length(max_block_length: int) -> bytes:
    # lengthFormatIdentifier: the high nibble gives the number of length bytes that follow.
    size = max(2, (max_block_length.bit_length() + 7) // 8)
    return bytes((size << 4,)) + max_block_length.to_bytes(size, "big")


def request_download(ecu: EcuContext, request: memoryview) -> Reply:
    """`34 00 44 <address 4> <size 4>` → `74 20 <maxNumberOfBlockLength 2>` (`74 30 …` when
    it needs 3 bytes). The range must lie inside the erased region; a new request replaces
    an active download (used to resume at address + acked)."""
    if len(request) < 3:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    ecu.require_unlocked()
    if request[1] != 0x00:  # dataFormatIdentifier: neither compressed nor encrypted
        raise NegativeResponseError(NRC.REQUEST_OUT_OF_RANGE)
    start, end = parse_region_range(ecu, request[2:])
    state = ecu.persistent
    if not state.erased:
        raise NegativeResponseError(NRC.CONDITIONS_NOT_CORRECT)
    max_block = ecu.config.max_block_length
    ecu.volatile.download = Download(
        start=start, end=end, next_offset=start, max_block_length=max_block
    )
    if state.written_end <= state.written_start:
        state.written_start = state.written_end = start
    else:
        state.written_start = min(state.written_start, start)
    state.in_bootloader = True
    state.crc_ok = state.dependencies_ok = False
    ecu.save()
    return Reply(b"\x74" + _encode_block_length(max_block))


def transfer_data(ecu: EcuContext, request: memoryview) -> Reply:
    """`36 <bsc> <data>` → `76 <bsc>`. The counter starts at 1 and wraps 0xFF → 0x00; the last
    accepted counter is acknowledged again without rewriting; any other → 0x73. Too long a
    block → 0x13, data beyond the requested size → 0x71, no download → 0x24."""
    download = ecu.volatile.download
    if download is None:
        raise NegativeResponseError(NRC.REQUEST_SEQUENCE_ERROR)
    if len(request) < 2:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    bsc = request[1]
    expected = 1 if download.last_bsc is None else (download.last_bsc + 1) & 0xFF
    if bsc != expected:
        if bsc == download.last_bsc:
            return Reply(bytes((0x76, bsc)))
        raise NegativeResponseError(NRC.WRONG_BLOCK_SEQUENCE_COUNTER)
    if len(request) == 2 or len(request) > download.max_block_length:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    data = request[2:]
    if download.next_offset + len(data) > download.end:
        raise NegativeResponseError(NRC.TRANSFER_DATA_SUSPENDED)
    ecu.storage.write(download.next_offset, data)
    download.next_offset += len(data)
    download.last_bsc = bsc
    download.blocks += 1
    state = ecu.persistent
    state.written_end = max(state.written_end, download.next_offset)
    ecu.save_soon()
    return Reply(bytes((0x76, bsc)))


def request_transfer_exit(ecu: EcuContext, request: memoryview) -> Reply:
    """`37` → `77`; without an active download → 0x24. An incomplete transfer is accepted:
    the check memory routine decides."""
    if ecu.volatile.download is None:
        raise NegativeResponseError(NRC.REQUEST_SEQUENCE_ERROR)
    ecu.volatile.download = None
    ecu.save()
    return Reply(b"\x77")
