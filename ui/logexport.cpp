// SPDX-License-Identifier: GPL-3.0-or-later
#include "logexport.h"

#include "eventlogmodel.h"
#include "json.h"

#include <QAbstractItemModel>
#include <QIODevice>

namespace streamscope {

namespace {

constexpr qsizetype WriteBlockBytes = 256 * 1024;

void appendCsvRecord(QByteArray &out, const StreamEvent &event, QByteArrayView streamName)
{
    out.append(QByteArray::number(event.arrivalMs));
    out.append(',');
    csv::appendField(out, streamName);
    out.append(',');
    out.append(streamEventKindName(event.kind).toLatin1());
    out.append(',');
    csv::appendField(out, event.type);
    out.append(',');
    csv::appendField(out, event.id);
    out.append(',');
    out.append(QByteArray::number(event.data.size()));
    out.append(',');
    // Binary frames as base64, as in the NDJSON records: a CSV cell holds text.
    csv::appendField(out, event.binary ? event.data.toBase64() : event.data);
    out.append("\r\n", 2);
}

bool writeAll(QIODevice &device, const QByteArray &bytes, QString *error)
{
    qint64 done = 0;
    while (done < bytes.size()) {
        const qint64 written = device.write(bytes.constData() + done, bytes.size() - done);
        if (written <= 0) {
            const QString reason = device.errorString();
            *error = reason.isEmpty() ? QObject::tr("the file refused the data") : reason;
            return false;
        }
        done += written;
    }
    return true;
}

} // namespace

LogExportFormat logExportFormatForFileName(const QString &fileName)
{
    return fileName.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive) ? LogExportFormat::Csv
                                                                         : LogExportFormat::Ndjson;
}

LogExportResult exportLog(
    const QAbstractItemModel &model, QIODevice &device, LogExportFormat format)
{
    LogExportResult result;
    if (!device.isWritable()) {
        result.error = QObject::tr("not open for writing");
        return result;
    }
    QByteArray block;
    block.reserve(WriteBlockBytes + 4096);
    if (format == LogExportFormat::Csv) {
        block.append("time_ms,stream,kind,type,id,size,data\r\n");
    }
    qint64 rowsInBlock = 0;
    const int rows = model.rowCount();
    for (int row = 0; row < rows; ++row) {
        const QVariant value = model.index(row, 0).data(EventLogModel::EventRole);
        if (!value.canConvert<StreamEvent>()) {
            result.error = QObject::tr("row %1 is not an event log row").arg(row);
            return result;
        }
        const StreamEvent event = value.value<StreamEvent>();
        const QByteArray streamName
            = model.index(row, EventLogModel::StreamColumn).data().toString().toUtf8();
        if (format == LogExportFormat::Csv) {
            appendCsvRecord(block, event, streamName);
        } else {
            json::appendEventRecord(block, event, streamName);
        }
        ++rowsInBlock;
        if (block.size() >= WriteBlockBytes) {
            if (!writeAll(device, block, &result.error)) {
                return result;
            }
            result.rows += rowsInBlock;
            rowsInBlock = 0;
            block.resize(0);
        }
    }
    if (!block.isEmpty() && !writeAll(device, block, &result.error)) {
        return result;
    }
    result.rows += rowsInBlock;
    return result;
}

namespace csv {

void appendField(QByteArray &out, QByteArrayView value)
{
    bool quote = !value.isEmpty() && (value.front() == ' ' || value.back() == ' ');
    for (const char c : value) {
        if (c == ',' || c == '"' || c == '\r' || c == '\n') {
            quote = true;
            break;
        }
    }
    if (!quote) {
        out.append(value);
        return;
    }
    out.append('"');
    for (const char c : value) {
        if (c == '"') {
            out.append('"');
        }
        out.append(c);
    }
    out.append('"');
}

} // namespace csv

} // namespace streamscope
