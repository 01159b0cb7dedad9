// SPDX-License-Identifier: GPL-3.0-or-later
#include "http2fallback.h"

namespace streamscope {

namespace {

QString fellBehindOverHttp2(const QString &why)
{
    return QStringLiteral("fell behind over HTTP/2 (%1), where Qt gives no backpressure and would "
                          "buffer without bound: ")
        .arg(why);
}

QString resumingAfter(const QByteArray &id)
{
    return QStringLiteral(", resuming after id %1").arg(QString::fromUtf8(id));
}

} // namespace

void Http2Fallback::opened()
{
    if (m_state == State::Trying) {
        m_state = State::Http1;
    }
}

Http2Fallback::Step Http2Fallback::fellBehind(
    const QString &why, bool mayUseHttp1, const QByteArray &lastEventId)
{
    Step step;
    step.toHttp1 = m_state == State::None && mayUseHttp1;
    if (step.toHttp1) {
        m_state = State::Trying;
    }
    step.message = fellBehindOverHttp2(why);
    step.message += step.toHttp1 ? QStringLiteral("reconnecting over HTTP/1.1")
                                 : QStringLiteral("reconnecting once caught up");
    step.message += lastEventId.isEmpty() ? QStringLiteral(
                        "; the stream has no event ids, so what the server sends meanwhile is lost")
                                          : resumingAfter(lastEventId);
    return step;
}

QString Http2Fallback::endsOneShot(const QString &why)
{
    // Resuming means asking again, and waiting means Qt buffers without bound: it ends here.
    return fellBehindOverHttp2(why)
        + QStringLiteral("a one-shot request is not sent again, so the answer ends here");
}

std::optional<QString> Http2Fallback::http1Failed(
    const QString &failure, const QByteArray &lastEventId)
{
    if (m_state != State::Trying) {
        return std::nullopt;
    }
    m_state = State::Refused;
    QString message
        = QStringLiteral("the server does not take HTTP/1.1 (%1): back to HTTP/2").arg(failure);
    if (!lastEventId.isEmpty()) {
        message += resumingAfter(lastEventId);
    }
    return message;
}

} // namespace streamscope
