// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

class QAbstractItemModel;
class QIODevice;

namespace streamscope {

enum class LogExportFormat {
    Ndjson, // the records of `streamscope-cli --json`, one per line
    Csv, // RFC 4180: time_ms,stream,kind,type,id,size,data
};

struct LogExportResult
{
    qint64 rows = 0; // rows written completely
    QString error; // empty on success

    bool isOk() const { return error.isEmpty(); }
};

// Csv for a name ending in ".csv", otherwise Ndjson.
LogExportFormat logExportFormatForFileName(const QString &fileName);

// Writes every row of model, in its order, to device (open for writing). The model is the event
// log or a proxy of it (the filtered view: only the rows it shows are written); rows are read
// through EventLogModel::EventRole and the stream's name from the Stream column. Writes in
// blocks; stops at the first write error, which names the device's error.
LogExportResult exportLog(
    const QAbstractItemModel &model, QIODevice &device, LogExportFormat format);

namespace csv {
// Appends value as one RFC 4180 field: quoted, with quotes doubled, when it holds a comma, a
// quote, CR or LF, or starts or ends with a space.
void appendField(QByteArray &out, QByteArrayView value);
} // namespace csv

} // namespace streamscope
