/*
 * A fake SAE J2534-1 (04.04) pass-thru library for the agent's tests.
 *
 * It speaks ISO15765 towards the caller and DoIP (ISO 13400-2) towards the vehicle simulator:
 * PassThruConnect opens a TCP connection to AOS_FAKE_J2534_DOIP ("host:port") and activates
 * routing; a written message whose CAN id is the flow-control id of a FLOW_CONTROL_FILTER
 * goes to the ECU that AOS_FAKE_J2534_ROUTES maps that id to ("0x712:0x0012,0x740:0x0040");
 * the ECU's answers come back with the filter's pattern id. Like a real device it reports
 * a TX_DONE indication per write and a start-of-message indication before each answer.
 * READ_VBATT reads DID 0x0120 (millivolts) from the first routed ECU. Like a CAN bus, the
 * channel outlives a vehicle without power: a lost DoIP link is opened again on the next
 * write (which fails while nobody answers).
 * One device with one channel; single-threaded callers only. Portable C99 + POSIX sockets.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define STATUS_NOERROR 0x00
#define ERR_NOT_SUPPORTED 0x01
#define ERR_INVALID_CHANNEL_ID 0x02
#define ERR_INVALID_PROTOCOL_ID 0x03
#define ERR_NULL_PARAMETER 0x04
#define ERR_FAILED 0x07
#define ERR_TIMEOUT 0x09
#define ERR_INVALID_MSG 0x0A
#define ERR_EXCEEDED_LIMIT 0x0C
#define ERR_DEVICE_IN_USE 0x0E
#define ERR_INVALID_IOCTL_ID 0x0F
#define ERR_BUFFER_EMPTY 0x10
#define ERR_BUFFER_FULL 0x11
#define ERR_CHANNEL_IN_USE 0x14
#define ERR_INVALID_FILTER_ID 0x16
#define ERR_NO_FLOW_CONTROL 0x17
#define ERR_INVALID_DEVICE_ID 0x1A

#define ISO15765 0x06
#define FLOW_CONTROL_FILTER 0x03
#define GET_CONFIG 0x01
#define SET_CONFIG 0x02
#define READ_VBATT 0x03
#define CLEAR_RX_BUFFER 0x08
#define DATA_RATE 0x01
#define TX_DONE 0x08
#define START_OF_MESSAGE 0x02

#define DEVICE_ID 1
#define CHANNEL_ID 7
#define MAX_FILTERS 10
#define QUEUE_SIZE 32
#define MAX_ROUTES 16
#define ISOTP_MAX 4095
#define TESTER 0x0E00
#ifdef MSG_NOSIGNAL
#define SEND_FLAGS MSG_NOSIGNAL /* a lost link is an error code, not SIGPIPE */
#else
#define SEND_FLAGS 0
#endif

typedef struct {
    unsigned long ProtocolID, RxStatus, TxFlags, Timestamp, DataSize, ExtraDataIndex;
    unsigned char Data[4128];
} PASSTHRU_MSG;
typedef struct { unsigned long Parameter, Value; } SCONFIG;
typedef struct { unsigned long NumOfParams; SCONFIG *ConfigPtr; } SCONFIG_LIST;

static int device_open, channel_open, sock = -1;
static unsigned long baud;
static char host[64], port[8];
static char last_error[80];
static struct { int used; unsigned long request, response; } filters[MAX_FILTERS];
static struct { unsigned long can_id, address; } routes[MAX_ROUTES];
static int route_count;
static PASSTHRU_MSG queue[QUEUE_SIZE];
static int q_head, q_len;
static unsigned char frame[8 + 8 + ISOTP_MAX];

static long fail(long code, const char *text) {
    snprintf(last_error, sizeof last_error, "%s", text);
    return code;
}

static unsigned long be32(const unsigned char *p) {
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

static void push(unsigned long rx_status, unsigned long can_id, const unsigned char *d, size_t n) {
    PASSTHRU_MSG *m;
    if (q_len == QUEUE_SIZE) return; /* a real device drops on overflow too */
    m = &queue[(q_head + q_len++) % QUEUE_SIZE];
    memset(m, 0, sizeof *m - sizeof m->Data);
    m->ProtocolID = ISO15765;
    m->RxStatus = rx_status;
    m->Data[0] = (unsigned char)(can_id >> 24); m->Data[1] = (unsigned char)(can_id >> 16);
    m->Data[2] = (unsigned char)(can_id >> 8); m->Data[3] = (unsigned char)can_id;
    if (n) memcpy(m->Data + 4, d, n);
    m->DataSize = 4 + (unsigned long)n;
}

static int send_all(const unsigned char *d, size_t n) {
    while (n) {
        ssize_t k = send(sock, d, n, SEND_FLAGS);
        if (k <= 0) return -1;
        d += k; n -= (size_t)k;
    }
    return 0;
}

/* Read n bytes within timeout_ms. 0 ok, 1 timed out before the first byte, -1 error. */
static int recv_all(unsigned char *d, size_t n, int timeout_ms, int started) {
    while (n) {
        struct pollfd p = {sock, POLLIN, 0};
        int r = poll(&p, 1, started ? 5000 : timeout_ms);
        ssize_t k;
        if (r == 0) return started ? -1 : 1;
        if (r < 0) return -1;
        k = recv(sock, d, n, 0);
        if (k <= 0) return -1;
        d += k; n -= (size_t)k; started = 1;
    }
    return 0;
}

static int send_doip(unsigned type, const unsigned char *payload, size_t n) {
    unsigned char h[8] = {0x02, 0xFD, (unsigned char)(type >> 8), (unsigned char)type,
                          (unsigned char)(n >> 24), (unsigned char)(n >> 16),
                          (unsigned char)(n >> 8), (unsigned char)n};
    return send_all(h, 8) || send_all(payload, n) ? -1 : 0;
}

/* One DoIP message into frame. Returns its payload type, -1 on error, -2 on timeout. */
static long recv_doip(size_t *length, int timeout_ms) {
    int r = recv_all(frame, 8, timeout_ms, 0);
    if (r) return r > 0 ? -2 : -1;
    *length = be32(frame + 4);
    if (*length > sizeof frame - 8 || recv_all(frame + 8, *length, 0, 1)) return -1;
    return (long)(frame[2] << 8 | frame[3]);
}

static unsigned long response_id_of(unsigned long address) {
    int i, f;
    for (i = 0; i < route_count; i++) {
        if (routes[i].address != address) continue;
        for (f = 0; f < MAX_FILTERS; f++)
            if (filters[f].used && filters[f].request == routes[i].can_id) return filters[f].response;
    }
    return 0;
}

static void drop_link(void) {
    if (sock >= 0) close(sock);
    sock = -1;
}

/* Connect to the DoIP entity and activate routing; 0 when it worked. */
static int open_link(void) {
    struct addrinfo hints, *found;
    unsigned char activation[7] = {TESTER >> 8, TESTER & 0xFF, 0, 0, 0, 0, 0};
    size_t n;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &found)) return fail(-1, "bad DoIP address");
    sock = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
    if (sock < 0 || connect(sock, found->ai_addr, found->ai_addrlen)) {
        freeaddrinfo(found);
        drop_link();
        return fail(-1, "no vehicle answers at AOS_FAKE_J2534_DOIP");
    }
    freeaddrinfo(found);
    if (send_doip(0x0005, activation, sizeof activation) || recv_doip(&n, 2000) != 0x0006 ||
        n < 5 || frame[8 + 4] != 0x10) {
        drop_link();
        return fail(-1, "the vehicle refused routing activation");
    }
    return 0;
}

/* Read one DoIP message and queue a diagnostic answer. Returns 1 for an ack, 2 a nack, 3 the
 * voltage (with volts_mv), 4 the voltage refused, 0 anything else, -2 nothing in time. */
static long pump(int timeout_ms, unsigned long *volts_mv) {
    size_t n;
    long type = recv_doip(&n, timeout_ms);
    if (type == -2) return -2;
    if (type < 0) {
        drop_link();
        return fail(-1, "the DoIP link to the vehicle is lost");
    }
    if (type == 0x8002) return 1;
    if (type == 0x8003) return 2;
    if (type == 0x8001 && n > 4) {
        unsigned long source = (unsigned long)(frame[8] << 8 | frame[9]);
        unsigned char *uds = frame + 12;
        if (volts_mv && n == 9 && uds[0] == 0x62 && uds[1] == 0x01 && uds[2] == 0x20) {
            *volts_mv = (unsigned long)(uds[3] << 8 | uds[4]);
            return 3;
        }
        if (volts_mv && n == 7 && uds[0] == 0x7F && uds[1] == 0x22) return 4;
        if (response_id_of(source)) {
            push(START_OF_MESSAGE, response_id_of(source), NULL, 0);
            push(0, response_id_of(source), uds, n - 4);
        }
    }
    return 0;
}

/* Send UDS to an ECU and wait for the DoIP acknowledgement. */
static long diagnostic(unsigned long address, const unsigned char *uds, size_t n, unsigned long *mv) {
    unsigned char payload[4 + ISOTP_MAX];
    long r;
    if (sock < 0 && open_link()) return ERR_FAILED;
    payload[0] = TESTER >> 8; payload[1] = TESTER & 0xFF;
    payload[2] = (unsigned char)(address >> 8); payload[3] = (unsigned char)address;
    memcpy(payload + 4, uds, n);
    if (send_doip(0x8001, payload, n + 4)) {
        drop_link();
        return fail(ERR_FAILED, "the DoIP link to the vehicle is lost");
    }
    while ((r = pump(2000, mv)) == 0) {}
    if (r == 1) return STATUS_NOERROR;
    if (r == 2) return fail(ERR_FAILED, "the vehicle refused the message (DoIP NACK)");
    return fail(ERR_FAILED, r == -2 ? "no DoIP acknowledgement from the vehicle" : last_error);
}

long PassThruOpen(void *pName, unsigned long *pDeviceID) {
    (void)pName;
    if (!pDeviceID) return fail(ERR_NULL_PARAMETER, "pDeviceID is NULL");
    if (device_open) return fail(ERR_DEVICE_IN_USE, "the device is already open");
    device_open = 1;
    *pDeviceID = DEVICE_ID;
    return STATUS_NOERROR;
}

long PassThruDisconnect(unsigned long ChannelID);

long PassThruClose(unsigned long DeviceID) {
    if (!device_open || DeviceID != DEVICE_ID) return fail(ERR_INVALID_DEVICE_ID, "no such device");
    if (channel_open) PassThruDisconnect(CHANNEL_ID);
    device_open = 0;
    return STATUS_NOERROR;
}

static int parse_routes(void) {
    const char *text = getenv("AOS_FAKE_J2534_ROUTES");
    char *end;
    route_count = 0;
    while (text && *text && route_count < MAX_ROUTES) {
        routes[route_count].can_id = strtoul(text, &end, 0);
        if (*end != ':') return -1;
        routes[route_count++].address = strtoul(end + 1, &end, 0);
        text = *end == ',' ? end + 1 : end;
    }
    return route_count ? 0 : -1;
}

long PassThruConnect(unsigned long DeviceID, unsigned long ProtocolID, unsigned long Flags,
                     unsigned long BaudRate, unsigned long *pChannelID) {
    const char *target = getenv("AOS_FAKE_J2534_DOIP");
    char *colon;
    (void)Flags;
    if (!device_open || DeviceID != DEVICE_ID) return fail(ERR_INVALID_DEVICE_ID, "no such device");
    if (!pChannelID) return fail(ERR_NULL_PARAMETER, "pChannelID is NULL");
    if (ProtocolID != ISO15765) return fail(ERR_INVALID_PROTOCOL_ID, "only ISO15765 is bridged");
    if (channel_open) return fail(ERR_CHANNEL_IN_USE, "the channel is already connected");
    if (!target || strlen(target) >= sizeof host || parse_routes())
        return fail(ERR_FAILED, "set AOS_FAKE_J2534_DOIP and AOS_FAKE_J2534_ROUTES");
    strcpy(host, target);
    colon = strrchr(host, ':');
    if (!colon || strlen(colon + 1) >= sizeof port) return fail(ERR_FAILED, "AOS_FAKE_J2534_DOIP is host:port");
    *colon = '\0';
    strcpy(port, colon + 1);
    if (open_link()) return ERR_FAILED;
    memset(filters, 0, sizeof filters);
    q_head = q_len = 0;
    baud = BaudRate;
    channel_open = 1;
    *pChannelID = CHANNEL_ID;
    return STATUS_NOERROR;
}

long PassThruDisconnect(unsigned long ChannelID) {
    if (!channel_open || ChannelID != CHANNEL_ID) return fail(ERR_INVALID_CHANNEL_ID, "no such channel");
    drop_link();
    channel_open = 0;
    return STATUS_NOERROR;
}

long PassThruReadMsgs(unsigned long ChannelID, PASSTHRU_MSG *pMsg, unsigned long *pNumMsgs,
                      unsigned long Timeout) {
    unsigned long wanted, got = 0;
    if (!channel_open || ChannelID != CHANNEL_ID) return fail(ERR_INVALID_CHANNEL_ID, "no such channel");
    if (!pMsg || !pNumMsgs) return fail(ERR_NULL_PARAMETER, "pMsg or pNumMsgs is NULL");
    wanted = *pNumMsgs;
    *pNumMsgs = 0;
    while (q_len == 0 && sock >= 0) {
        long r = pump((int)Timeout, NULL); /* a lost link is dropped: nothing more to read */
        if (r < 0) break;
    }
    if (q_len == 0 && sock < 0) poll(NULL, 0, (int)Timeout); /* a silent bus */
    while (got < wanted && q_len) {
        pMsg[got++] = queue[q_head];
        q_head = (q_head + 1) % QUEUE_SIZE;
        q_len--;
    }
    *pNumMsgs = got;
    if (got == 0) return fail(ERR_BUFFER_EMPTY, "no message arrived within the timeout");
    return got < wanted && Timeout ? ERR_TIMEOUT : STATUS_NOERROR;
}

long PassThruWriteMsgs(unsigned long ChannelID, PASSTHRU_MSG *pMsg, unsigned long *pNumMsgs,
                       unsigned long Timeout) {
    unsigned long i;
    int f, r;
    (void)Timeout;
    if (!channel_open || ChannelID != CHANNEL_ID) return fail(ERR_INVALID_CHANNEL_ID, "no such channel");
    if (!pMsg || !pNumMsgs) return fail(ERR_NULL_PARAMETER, "pMsg or pNumMsgs is NULL");
    for (i = 0; i < *pNumMsgs; i++) {
        PASSTHRU_MSG *m = &pMsg[i];
        unsigned long can_id;
        long status;
        if (m->ProtocolID != ISO15765 || m->DataSize < 5 || m->DataSize > 4 + ISOTP_MAX)
            return fail(ERR_INVALID_MSG, "not an ISO15765 message of 1..4095 bytes");
        can_id = be32(m->Data);
        for (f = 0; f < MAX_FILTERS && !(filters[f].used && filters[f].request == can_id); f++) {}
        if (f == MAX_FILTERS) return fail(ERR_NO_FLOW_CONTROL, "no flow control filter for this CAN id");
        for (r = 0; r < route_count && routes[r].can_id != can_id; r++) {}
        if (r == route_count) return fail(ERR_FAILED, "no ECU behind this CAN id");
        status = diagnostic(routes[r].address, m->Data + 4, m->DataSize - 4, NULL);
        if (status) return status;
        push(TX_DONE, can_id, NULL, 0);
    }
    return STATUS_NOERROR;
}

long PassThruStartMsgFilter(unsigned long ChannelID, unsigned long FilterType, PASSTHRU_MSG *pMaskMsg,
                            PASSTHRU_MSG *pPatternMsg, PASSTHRU_MSG *pFlowControlMsg,
                            unsigned long *pFilterID) {
    int f;
    if (!channel_open || ChannelID != CHANNEL_ID) return fail(ERR_INVALID_CHANNEL_ID, "no such channel");
    if (!pMaskMsg || !pPatternMsg || !pFilterID) return fail(ERR_NULL_PARAMETER, "a filter part is NULL");
    if (FilterType != FLOW_CONTROL_FILTER || !pFlowControlMsg)
        return fail(ERR_NOT_SUPPORTED, "only flow control filters are supported");
    for (f = 0; f < MAX_FILTERS && filters[f].used; f++) {}
    if (f == MAX_FILTERS) return fail(ERR_EXCEEDED_LIMIT, "all 10 filters are in use");
    filters[f].used = 1;
    filters[f].response = be32(pPatternMsg->Data);
    filters[f].request = be32(pFlowControlMsg->Data);
    *pFilterID = (unsigned long)f;
    return STATUS_NOERROR;
}

long PassThruStopMsgFilter(unsigned long ChannelID, unsigned long FilterID) {
    if (!channel_open || ChannelID != CHANNEL_ID) return fail(ERR_INVALID_CHANNEL_ID, "no such channel");
    if (FilterID >= MAX_FILTERS || !filters[FilterID].used) return fail(ERR_INVALID_FILTER_ID, "no such filter");
    filters[FilterID].used = 0;
    return STATUS_NOERROR;
}

static long read_vbatt(unsigned long *mv) {
    static const unsigned char request[3] = {0x22, 0x01, 0x20};
    long r;
    *mv = 0xFFFFFFFFUL;
    if (!channel_open) return fail(ERR_FAILED, "connect a channel first: the battery is read over it");
    if ((r = diagnostic(routes[0].address, request, sizeof request, mv))) return r;
    while (*mv == 0xFFFFFFFFUL) {
        r = pump(2000, mv);
        if (r < 0 || r == 4) return fail(ERR_FAILED, "the vehicle did not report its voltage");
    }
    return STATUS_NOERROR;
}

long PassThruIoctl(unsigned long ChannelID, unsigned long IoctlID, void *pInput, void *pOutput) {
    unsigned long i;
    if (IoctlID == READ_VBATT) {
        if (!device_open || ChannelID != DEVICE_ID) return fail(ERR_INVALID_DEVICE_ID, "no such device");
        if (!pOutput) return fail(ERR_NULL_PARAMETER, "pOutput is NULL");
        return read_vbatt((unsigned long *)pOutput);
    }
    if (!channel_open || ChannelID != CHANNEL_ID) return fail(ERR_INVALID_CHANNEL_ID, "no such channel");
    if (IoctlID == CLEAR_RX_BUFFER) {
        q_len = 0;
        return STATUS_NOERROR;
    }
    if (IoctlID == SET_CONFIG || IoctlID == GET_CONFIG) {
        SCONFIG_LIST *list = pInput;
        if (!list || !list->ConfigPtr) return fail(ERR_NULL_PARAMETER, "pInput is NULL");
        for (i = 0; i < list->NumOfParams; i++) {
            SCONFIG *c = &list->ConfigPtr[i];
            if (c->Parameter != DATA_RATE) return fail(ERR_NOT_SUPPORTED, "only DATA_RATE is kept");
            if (IoctlID == SET_CONFIG) baud = c->Value; else c->Value = baud;
        }
        return STATUS_NOERROR;
    }
    return fail(ERR_INVALID_IOCTL_ID, "ioctl not supported by the fake");
}

long PassThruReadVersion(unsigned long DeviceID, char *pFirmwareVersion, char *pDllVersion,
                         char *pApiVersion) {
    if (!device_open || DeviceID != DEVICE_ID) return fail(ERR_INVALID_DEVICE_ID, "no such device");
    if (!pFirmwareVersion || !pDllVersion || !pApiVersion) return fail(ERR_NULL_PARAMETER, "a version buffer is NULL");
    strcpy(pFirmwareVersion, "0.1");
    strcpy(pDllVersion, "aos-fake 0.1");
    strcpy(pApiVersion, "04.04");
    return STATUS_NOERROR;
}

long PassThruGetLastError(char *pErrorDescription) {
    if (!pErrorDescription) return ERR_NULL_PARAMETER;
    strcpy(pErrorDescription, last_error);
    return STATUS_NOERROR;
}
