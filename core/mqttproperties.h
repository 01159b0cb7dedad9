// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace streamscope::mqtt {

class FieldReader;

using UserProperties = QList<QPair<QString, QString>>;

// MQTT 5 properties (section 2.2.2), those a client meets or sends. Each optional one is unset
// when the packet did not carry it.
struct Properties
{
    std::optional<quint8> payloadFormatIndicator; // 0x01: 1 says the payload is UTF-8
    std::optional<quint32> messageExpiryInterval; // 0x02
    QString contentType; // 0x03
    QString responseTopic; // 0x08
    QByteArray correlationData; // 0x09
    QList<quint32> subscriptionIdentifiers; // 0x0B, repeatable
    std::optional<quint32> sessionExpiryInterval; // 0x11
    QString assignedClientIdentifier; // 0x12
    std::optional<quint16> serverKeepAlive; // 0x13
    QString authenticationMethod; // 0x15
    QByteArray authenticationData; // 0x16
    QString responseInformation; // 0x1A
    QString serverReference; // 0x1C
    QString reasonString; // 0x1F
    std::optional<quint16> receiveMaximum; // 0x21
    std::optional<quint16> topicAliasMaximum; // 0x22
    std::optional<quint16> topicAlias; // 0x23
    std::optional<quint8> maximumQos; // 0x24
    std::optional<quint8> retainAvailable; // 0x25
    UserProperties userProperties; // 0x26, repeatable, in order
    std::optional<quint32> maximumPacketSize; // 0x27
    std::optional<quint8> wildcardSubscriptionAvailable; // 0x28
    std::optional<quint8> subscriptionIdentifierAvailable; // 0x29
    std::optional<quint8> sharedSubscriptionAvailable; // 0x2A
};

// MQTT 5 properties with their varint length in front; what encodeConnect and encodePublish use.
QByteArray encodeProperties(const Properties &properties);
// Reads the property length and the properties it covers into *properties. A property the server
// may not send, or one that may appear once appearing twice, fails reader.
void readProperties(FieldReader &reader, Properties *properties);

} // namespace streamscope::mqtt
