// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QFile>

#include <algorithm>
#include <vector>

// Figures the benchmarks report the same way: the process's memory, and percentiles of times.

// A "VmRSS"/"VmHWM" line of /proc/self/status, in KiB; -1 when it cannot be read.
inline qint64 statusKiB(const char *field)
{
    QFile file(QStringLiteral("/proc/self/status"));
    if (!file.open(QIODevice::ReadOnly)) {
        return -1;
    }
    const QByteArray key = QByteArray(field) + ':';
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith(key)) {
            return line.mid(key.size()).trimmed().split(' ').value(0).toLongLong();
        }
    }
    return -1;
}

struct Percentiles
{
    double p50 = 0;
    double p99 = 0;
    double max = 0;
    size_t count = 0;
};

// Nearest-rank percentiles; all zero for no values.
inline Percentiles percentiles(std::vector<double> values)
{
    Percentiles result;
    result.count = values.size();
    if (values.empty()) {
        return result;
    }
    std::sort(values.begin(), values.end());
    const auto at = [&values](double q) {
        return values[std::min(values.size() - 1, size_t(q * double(values.size())))];
    };
    result.p50 = at(0.50);
    result.p99 = at(0.99);
    result.max = values.back();
    return result;
}
