// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QObject>
#include <QPointer>

class QAction;

namespace streamscope {

class Stream;

// The Stream menu's commands for the selected stream, enabled as it allows. Connect, disconnect,
// reconnect, pause and copy-as-command act on the stream here; what needs the window (the
// dialogs, the log) goes out as a request.
class StreamActions : public QObject
{
    Q_OBJECT
public:
    explicit StreamActions(QObject *parent = nullptr);

    // Every action, in menu order; the toolbar leaves out copy-as-command.
    QList<QAction *> all() const;
    QList<QAction *> toolBarActions() const;

    // The selected stream, or null; the actions follow its state (call again when it changed).
    void setStream(Stream *stream);
    void refresh();

signals:
    void addRequested();
    void editRequested();
    void clearRequested();
    void removeRequested();
    // A short note for the status bar ("Copied the streamscope-cli command").
    void noted(const QString &message);

private:
    QAction *make(const QString &text, const QKeySequence &key, const char *name);

    QPointer<Stream> m_stream;
    QAction *m_add;
    QAction *m_edit;
    QAction *m_connect;
    QAction *m_disconnect;
    QAction *m_reconnect;
    QAction *m_pause;
    QAction *m_clear;
    QAction *m_remove;
    QAction *m_copyCommand;
};

} // namespace streamscope
