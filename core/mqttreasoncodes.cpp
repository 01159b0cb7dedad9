// SPDX-License-Identifier: GPL-3.0-or-later
#include "mqttreasoncodes.h"

namespace streamscope::mqtt {

QString describeConnackCode(Version version, quint8 code)
{
    if (version == Version::V311) {
        switch (code) {
        case 0:
            return QStringLiteral("accepted");
        case 1:
            return QStringLiteral("unacceptable protocol version");
        case 2:
            return QStringLiteral("client identifier rejected");
        case 3:
            return QStringLiteral("server unavailable");
        case 4:
            return QStringLiteral("bad user name or password");
        case 5:
            return QStringLiteral("not authorized");
        default:
            return QStringLiteral("refused with return code %1").arg(code);
        }
    }
    return describeReasonCode(code);
}

QString describeReasonCode(quint8 code)
{
    switch (code) {
    case 0x00:
        return QStringLiteral("success");
    case 0x01:
        return QStringLiteral("granted QoS 1");
    case 0x02:
        return QStringLiteral("granted QoS 2");
    case 0x04:
        return QStringLiteral("disconnect with will message");
    case 0x10:
        return QStringLiteral("no matching subscribers");
    case 0x11:
        return QStringLiteral("no subscription existed");
    case 0x18:
        return QStringLiteral("continue authentication");
    case 0x19:
        return QStringLiteral("re-authenticate");
    case 0x80:
        return QStringLiteral("unspecified error");
    case 0x81:
        return QStringLiteral("malformed packet");
    case 0x82:
        return QStringLiteral("protocol error");
    case 0x83:
        return QStringLiteral("implementation specific error");
    case 0x84:
        return QStringLiteral("unsupported protocol version");
    case 0x85:
        return QStringLiteral("client identifier not valid");
    case 0x86:
        return QStringLiteral("bad user name or password");
    case 0x87:
        return QStringLiteral("not authorized");
    case 0x88:
        return QStringLiteral("server unavailable");
    case 0x89:
        return QStringLiteral("server busy");
    case 0x8A:
        return QStringLiteral("banned");
    case 0x8B:
        return QStringLiteral("server shutting down");
    case 0x8C:
        return QStringLiteral("bad authentication method");
    case 0x8D:
        return QStringLiteral("keep alive timeout");
    case 0x8E:
        return QStringLiteral("session taken over");
    case 0x8F:
        return QStringLiteral("topic filter invalid");
    case 0x90:
        return QStringLiteral("topic name invalid");
    case 0x91:
        return QStringLiteral("packet identifier in use");
    case 0x92:
        return QStringLiteral("packet identifier not found");
    case 0x93:
        return QStringLiteral("receive maximum exceeded");
    case 0x94:
        return QStringLiteral("topic alias invalid");
    case 0x95:
        return QStringLiteral("packet too large");
    case 0x96:
        return QStringLiteral("message rate too high");
    case 0x97:
        return QStringLiteral("quota exceeded");
    case 0x98:
        return QStringLiteral("administrative action");
    case 0x99:
        return QStringLiteral("payload format invalid");
    case 0x9A:
        return QStringLiteral("retain not supported");
    case 0x9B:
        return QStringLiteral("QoS not supported");
    case 0x9C:
        return QStringLiteral("use another server");
    case 0x9D:
        return QStringLiteral("server moved");
    case 0x9E:
        return QStringLiteral("shared subscriptions not supported");
    case 0x9F:
        return QStringLiteral("connection rate exceeded");
    case 0xA0:
        return QStringLiteral("maximum connect time");
    case 0xA1:
        return QStringLiteral("subscription identifiers not supported");
    case 0xA2:
        return QStringLiteral("wildcard subscriptions not supported");
    default:
        return QStringLiteral("reason code 0x%1").arg(code, 2, 16, QLatin1Char('0'));
    }
}

bool isTransientConnackCode(Version version, quint8 code)
{
    if (version == Version::V311) {
        return code == 3;
    }
    return code == 0x88 || code == 0x89 || code == 0x97 || code == 0x9F;
}

} // namespace streamscope::mqtt
