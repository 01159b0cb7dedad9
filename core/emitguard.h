// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QPointer>

namespace streamscope {

// Settle state, then emit: a slot may close, restart or delete the emitter. Taken after the
// state is settled, this tells afterwards whether the emitter is gone or moved on (its
// generation counter changed), so the caller stops before touching stale state.
class EmitGuard
{
public:
    EmitGuard(QObject *emitter, const quint64 &generation)
        : m_emitter(emitter)
        , m_generation(&generation)
        , m_expected(generation)
    {
    }
    // Checked before reading the counter: a deleted emitter's counter is gone with it.
    bool isStale() const { return !m_emitter || *m_generation != m_expected; }

private:
    QPointer<QObject> m_emitter;
    const quint64 *m_generation;
    quint64 m_expected;
};

} // namespace streamscope
