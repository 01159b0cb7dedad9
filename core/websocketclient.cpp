#include "websocketclient.h"

#include <QRegularExpression>
#include <QWebSocket>

// First cut: the API compiles; the behaviour follows.
namespace streamscope {

WebSocketClient::WebSocketClient(QObject *parent)
    : QObject(parent)
{
}

WebSocketClient::~WebSocketClient() = default;

void WebSocketClient::open(const WebSocketSettings &settings)
{
    m_settings = settings;
}

void WebSocketClient::close()
{
}

void WebSocketClient::reconnectNow()
{
}

void WebSocketClient::sendText(const QString &text)
{
    sendText(text.toUtf8());
}

void WebSocketClient::sendText(const QByteArray &utf8)
{
    Q_UNUSED(utf8);
}

void WebSocketClient::sendBinary(const QByteArray &data)
{
    Q_UNUSED(data);
}

int WebSocketClient::handshakeStatusFromError(const QString &errorString)
{
    Q_UNUSED(errorString);
    return 0;
}

} // namespace streamscope
