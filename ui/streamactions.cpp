// SPDX-License-Identifier: GPL-3.0-or-later
#include "streamactions.h"

#include "stream.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QKeySequence>
#include <QSignalBlocker>

namespace streamscope {

StreamActions::StreamActions(QObject *parent)
    : QObject(parent)
{
    m_add = make(tr("&Add Stream…"), QKeySequence(Qt::CTRL | Qt::Key_N), "addAction");
    m_edit = make(tr("&Edit…"), QKeySequence(), "editAction");
    m_connect = make(tr("&Connect"), QKeySequence(), "connectAction");
    m_disconnect = make(tr("&Disconnect"), QKeySequence(), "disconnectAction");
    m_reconnect = make(tr("&Reconnect Now"), QKeySequence(Qt::CTRL | Qt::Key_R), "reconnectAction");
    m_pause = make(tr("&Pause"), QKeySequence(Qt::CTRL | Qt::Key_P), "pauseAction");
    m_pause->setCheckable(true);
    m_pause->setToolTip(
        tr("Pause the stream: it stays connected and keeps its figures, but adds no rows"));
    m_clear = make(tr("C&lear Rows"), QKeySequence(), "clearAction");
    m_remove = make(tr("Re&move"), QKeySequence(), "removeAction");
    m_copyCommand = make(tr("Copy as Co&mmand"), QKeySequence(), "copyCommandAction");
    m_copyCommand->setToolTip(tr("Copy the equivalent streamscope-cli line"));

    connect(m_add, &QAction::triggered, this, &StreamActions::addRequested);
    connect(m_edit, &QAction::triggered, this, &StreamActions::editRequested);
    connect(m_clear, &QAction::triggered, this, &StreamActions::clearRequested);
    connect(m_remove, &QAction::triggered, this, &StreamActions::removeRequested);
    connect(m_connect, &QAction::triggered, this, [this] {
        if (m_stream) {
            m_stream->connectToServer();
        }
        refresh();
    });
    connect(m_disconnect, &QAction::triggered, this, [this] {
        if (m_stream) {
            m_stream->disconnectFromServer();
        }
        refresh();
    });
    connect(m_reconnect, &QAction::triggered, this, [this] {
        if (m_stream) {
            m_stream->reconnectNow();
        }
        refresh();
    });
    connect(m_pause, &QAction::toggled, this, [this](bool paused) {
        if (!m_stream) {
            return;
        }
        m_stream->setPaused(paused);
        emit noted(paused ? tr("%1 paused: connected, adding no rows").arg(m_stream->config().name)
                          : tr("%1 resumed").arg(m_stream->config().name));
    });
    connect(m_copyCommand, &QAction::triggered, this, [this] {
        if (m_stream) {
            QApplication::clipboard()->setText(m_stream->config().cliCommand());
            emit noted(tr("Copied the streamscope-cli command"));
        }
    });
    refresh();
}

QAction *StreamActions::make(const QString &text, const QKeySequence &key, const char *name)
{
    auto *action = new QAction(text, this);
    action->setObjectName(QString::fromLatin1(name));
    if (!key.isEmpty()) {
        action->setShortcut(key);
    }
    return action;
}

QList<QAction *> StreamActions::all() const
{
    return {m_add, m_edit, m_connect, m_disconnect, m_reconnect, m_pause, m_clear, m_remove,
        m_copyCommand};
}

QList<QAction *> StreamActions::toolBarActions() const
{
    return {m_add, m_edit, m_connect, m_disconnect, m_reconnect, m_pause, m_clear, m_remove};
}

void StreamActions::setStream(Stream *stream)
{
    m_stream = stream;
    refresh();
}

void StreamActions::refresh()
{
    Stream *stream = m_stream;
    const bool connected = stream && stream->isConnected();
    m_edit->setEnabled(stream);
    m_connect->setEnabled(stream && !connected);
    m_disconnect->setEnabled(connected);
    m_reconnect->setEnabled(stream);
    // A one-shot request is not reconnected but asked again: say so, since it may be billed.
    const bool oneShot = stream && stream->config().isOneShot();
    m_reconnect->setText(oneShot ? tr("&Run Again") : tr("&Reconnect Now"));
    m_reconnect->setToolTip(oneShot
            ? tr("Send the request again: a new answer, asked for (and billed) once more")
            : tr("Connect again at once, without waiting for the backoff"));
    m_clear->setEnabled(stream);
    m_remove->setEnabled(stream);
    m_copyCommand->setEnabled(stream);
    m_pause->setEnabled(stream);
    const QSignalBlocker blocker(m_pause);
    m_pause->setChecked(stream && stream->isPaused());
}

} // namespace streamscope
