// SPDX-License-Identifier: GPL-3.0-or-later
#include "tokenview.h"

#include "answerpane.h"
#include "answerrun.h"
#include "gapsparkline.h"
#include "healthcolors.h"
#include "stream.h"
#include "streamconfig.h" // maskedHeaderValue

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTableWidget>
#include <QVBoxLayout>

namespace streamscope {

namespace {

enum Column {
    RunColumn,
    TtftColumn,
    TokensPerSecondColumn,
    DurationColumn,
    OutputTokensColumn,
    OutcomeColumn,
    ColumnCount,
};

const QString s_approx = QStringLiteral("≈ ");

QString clockTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss"));
}

QString tokens(const TokenTimer::Figures &figures)
{
    if (figures.outputTokens < 0) {
        return QStringLiteral("-");
    }
    return (figures.estimated ? s_approx : QString()) + QLocale().toString(figures.outputTokens);
}

QString tokensPerSecond(const TokenTimer::Figures &figures)
{
    if (figures.tokensPerSecond < 0) {
        return QStringLiteral("-");
    }
    return (figures.estimated ? s_approx : QString())
        + QString::number(figures.tokensPerSecond, 'f', 1);
}

QString estimateToolTip(const TokenTimer::Figures &figures)
{
    return figures.estimated
        ? TokenView::tr("Estimated (the server sent no output token count): %1")
              .arg(figures.estimateRule)
        : QString();
}

QString kindName(TokenBlock::Kind kind)
{
    switch (kind) {
    case TokenBlock::Kind::Text:
        return QStringLiteral("text");
    case TokenBlock::Kind::Thinking:
        return QStringLiteral("thinking");
    case TokenBlock::Kind::ToolCall:
        return QStringLiteral("toolCall");
    }
    return QString();
}

QJsonValue stringOrNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue() : QJsonValue(text);
}

void setCell(
    QTableWidget *table, int row, int column, const QString &text, const QString &toolTip = {})
{
    QTableWidgetItem *item = table->item(row, column);
    if (!item) {
        item = new QTableWidgetItem;
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        if (column != RunColumn && column != OutcomeColumn) {
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        }
        table->setItem(row, column, item);
    }
    item->setText(text);
    item->setToolTip(toolTip);
}

} // namespace

TokenView::TokenView(QWidget *parent)
    : QWidget(parent)
    , m_pages(new QStackedWidget)
    , m_hint(new QLabel)
    , m_runs(new QComboBox)
    , m_monospace(new QCheckBox(tr("&Monospace")))
    , m_export(new QPushButton(tr("E&xport…")))
    , m_exportStatus(new QLabel)
    , m_sparkline(new GapSparkline)
    , m_answer(new AnswerPane)
    , m_table(new QTableWidget(0, ColumnCount))
{
    m_hint->setObjectName(QStringLiteral("tokenHint"));
    m_hint->setWordWrap(true);
    m_hint->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_hint->setMargin(style()->pixelMetric(QStyle::PM_LayoutLeftMargin));

    m_runs->setObjectName(QStringLiteral("tokenRuns"));
    m_runs->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_runs->setMinimumContentsLength(20);
    m_runs->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_runs->setToolTip(tr("The stream's kept runs, newest last; the newest is followed"));
    m_monospace->setObjectName(QStringLiteral("tokenMonospace"));
    m_monospace->setToolTip(tr("Show the answer in a fixed-width font"));
    m_export->setObjectName(QStringLiteral("tokenExport"));
    m_export->setToolTip(
        tr("Save the shown run as JSON: the request without secrets, the answer and figures"));
    m_exportStatus->setObjectName(QStringLiteral("tokenExportStatus"));
    m_exportStatus->setWordWrap(true);
    m_exportStatus->setTextFormat(Qt::PlainText);
    m_exportStatus->hide();

    auto *figures = new QWidget;
    auto *grid = new QGridLayout(figures);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);
    grid->setColumnStretch(5, 1);
    m_timeToHeaders = addFigure(grid, 0, 0, tr("Headers:"), QStringLiteral("tokenTimeToHeaders"));
    m_timeToFirstToken = addFigure(grid, 0, 1, tr("TTFT:"), QStringLiteral("tokenTtft"));
    m_duration = addFigure(grid, 0, 2, tr("Total:"), QStringLiteral("tokenDuration"));
    m_outputTokens = addFigure(grid, 1, 0, tr("Output tokens:"), QStringLiteral("tokenOutput"));
    m_tokensPerSecond
        = addFigure(grid, 1, 1, tr("Tokens/s:"), QStringLiteral("tokenTokensPerSecond"));
    m_gaps = addFigure(grid, 1, 2, tr("Gaps:"), QStringLiteral("tokenGaps"));
    m_sparkline->setObjectName(QStringLiteral("tokenSparkline"));
    grid->addWidget(m_sparkline, 2, 0, 1, 6);
    m_stopReason = addFigure(grid, 3, 0, tr("Stop reason:"), QStringLiteral("tokenStopReason"));
    m_inputTokens = addFigure(grid, 3, 1, tr("Input tokens:"), QStringLiteral("tokenInput"));
    m_format = addFigure(grid, 3, 2, tr("Format:"), QStringLiteral("tokenFormat"));
    m_model = addFigure(grid, 4, 0, tr("Model:"), QStringLiteral("tokenModel"));
    m_unknown = addFigure(grid, 4, 1, tr("Unknown events:"), QStringLiteral("tokenUnknown"));
    m_malformed = addFigure(grid, 4, 2, tr("Malformed events:"), QStringLiteral("tokenMalformed"));
    m_timeToHeaders->setToolTip(tr("From the request sent to the response headers"));
    m_timeToFirstToken->setToolTip(
        tr("Time to first token: from the request sent to the first non-empty delta"));
    m_gaps->setToolTip(tr("Between consecutive deltas: median, 99th percentile and longest"));
    m_unknown->setToolTip(tr("Well-formed events the decoder did not read; they are in the log"));
    m_malformed->setToolTip(tr("Events with bad JSON or the wrong shape; they are in the log"));

    m_answer->setObjectName(QStringLiteral("tokenAnswer"));

    m_table->setObjectName(QStringLiteral("tokenComparison"));
    m_table->setHorizontalHeaderLabels(
        {tr("Run"), tr("TTFT"), tr("Tokens/s"), tr("Total"), tr("Output tokens"), tr("Outcome")});
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_table->setToolTip(tr("Every kept run side by side; click one to show it"));

    auto *top = new QHBoxLayout;
    top->addWidget(m_runs, 1);
    top->addWidget(m_monospace);
    top->addWidget(m_export);
    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(m_answer);
    splitter->addWidget(m_table);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    auto *view = new QWidget;
    auto *viewLayout = new QVBoxLayout(view);
    viewLayout->setContentsMargins(0, 0, 0, 0);
    viewLayout->addLayout(top);
    viewLayout->addWidget(m_exportStatus);
    viewLayout->addWidget(figures);
    viewLayout->addWidget(splitter, 1);
    m_pages->addWidget(m_hint);
    m_pages->addWidget(view);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_pages);

    m_refresh.setSingleShot(true);
    m_refresh.setInterval(RefreshMs);
    connect(&m_refresh, &QTimer::timeout, this, &TokenView::refresh);
    connect(m_runs, &QComboBox::activated, this, &TokenView::showRun);
    connect(m_table, &QTableWidget::cellClicked, this, [this](int row, int) { showRun(row); });
    connect(m_monospace, &QCheckBox::toggled, m_answer, &AnswerPane::setMonospace);
    connect(m_export, &QPushButton::clicked, this, &TokenView::exportInteractively);
    connect(m_answer, &AnswerPane::paletteChanged, this, &TokenView::redrawAnswer);
    setStream(nullptr);
}

QLabel *TokenView::addFigure(
    QGridLayout *grid, int row, int column, const QString &label, const QString &name)
{
    auto *title = new QLabel(label);
    auto *value = new QLabel;
    value->setObjectName(name);
    value->setTextFormat(Qt::PlainText);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    grid->addWidget(title, row, 2 * column);
    grid->addWidget(value, row, 2 * column + 1);
    m_figures.append(value);
    m_figureNames.insert(value, title);
    return value;
}

void TokenView::showFigure(QLabel *value, bool shown)
{
    value->setVisible(shown);
    m_figureNames.value(value)->setVisible(shown);
}

void TokenView::setStream(const Stream *stream)
{
    if (m_stream) {
        disconnect(m_stream, nullptr, this, nullptr);
    }
    m_stream = stream;
    m_following = true;
    m_shown = {};
    m_drawn = {};
    m_numbers.clear();
    m_lastNumber = 0;
    m_rows.clear();
    m_answer->clearRun();
    m_exportStatus->hide();
    m_refresh.stop();
    if (stream) {
        connect(stream, &Stream::answerChanged, this, &TokenView::scheduleRefresh);
        // A config change can make it a token stream, or no longer one.
        connect(stream, &Stream::healthChanged, this, &TokenView::scheduleRefresh);
        connect(stream, &QObject::destroyed, this, [this] { setStream(nullptr); });
    }
    refresh();
}

const Stream *TokenView::stream() const
{
    return m_stream;
}

int TokenView::shownRun() const
{
    return indexOf(m_shown);
}

void TokenView::showRun(int index)
{
    if (!runAt(index)) {
        return;
    }
    m_following = index == int(m_stream->answerRuns().size()) - 1;
    const AnswerRun *run = runAt(index);
    m_shown = {run, run->startedAtMs()};
    refresh();
}

QString TokenView::answerText() const
{
    const AnswerRun *run = runAt(shownRun());
    return run ? run->answer().answerText() : QString();
}

QString TokenView::shownText() const
{
    return m_answer->toPlainText();
}

QString TokenView::figuresText() const
{
    if (m_pages->currentIndex() == 0) {
        return QString();
    }
    QStringList lines;
    for (QLabel *value : m_figures) {
        if (!value->isHidden()) {
            lines.append(m_figureNames.value(value)->text() + u' ' + value->text());
        }
    }
    return lines.join(u'\n');
}

QString TokenView::hintText() const
{
    return m_pages->currentIndex() == 0 ? m_hint->text() : QString();
}

const AnswerRun *TokenView::runAt(int index) const
{
    if (!m_stream || index < 0 || size_t(index) >= m_stream->answerRuns().size()) {
        return nullptr;
    }
    return &m_stream->answerRuns()[size_t(index)];
}

int TokenView::indexOf(const RunKey &key) const
{
    if (!m_stream || !key.run) {
        return -1;
    }
    const std::deque<AnswerRun> &runs = m_stream->answerRuns();
    for (size_t i = 0; i < runs.size(); ++i) {
        if (&runs[i] == key.run && runs[i].startedAtMs() == key.startedAtMs) {
            return int(i);
        }
    }
    return -1;
}

int TokenView::runNumber(const RunKey &key) const
{
    const auto found = m_numbers.constFind(key.run);
    return found != m_numbers.cend() && found->first == key.startedAtMs ? found->second : 0;
}

void TokenView::scheduleRefresh()
{
    if (!m_refresh.isActive()) {
        m_refresh.start();
    }
}

void TokenView::refresh()
{
    const Stream *stream = m_stream;
    QString hint;
    if (!stream) {
        hint = tr("Select a one-shot or token stream to see its answer as it streams: the text, "
                  "time to first token, tokens/s and the gaps between tokens.");
    } else if (stream->answerRuns().empty()) {
        hint = stream->config().tokenFormat()
            ? tr("%1 has no answer yet: run it to send its request.").arg(stream->config().name)
            : tr("%1 is not a token stream. A one-shot stream (a POST with a body, by default) "
                 "or one with a token format set shows its answers here.")
                  .arg(stream->config().name);
    }
    if (!hint.isEmpty()) {
        m_hint->setText(hint);
        m_pages->setCurrentIndex(0);
        m_runs->clear();
        m_table->setRowCount(0);
        m_rows.clear();
        m_shown = {};
        m_drawn = {};
        m_answer->clearRun();
        return;
    }
    m_pages->setCurrentIndex(1);

    const std::deque<AnswerRun> &runs = stream->answerRuns();
    QHash<const AnswerRun *, QPair<qint64, int>> numbers;
    for (const AnswerRun &run : runs) {
        const RunKey key{&run, run.startedAtMs()};
        int number = runNumber(key);
        if (number == 0) {
            number = ++m_lastNumber;
        }
        numbers.insert(&run, {run.startedAtMs(), number});
    }
    m_numbers = numbers;

    int shown = m_following ? -1 : indexOf(m_shown);
    if (shown < 0) {
        m_following = true; // the run picked was dropped, or none was
        shown = int(runs.size()) - 1;
    }
    const AnswerRun &run = runs[size_t(shown)];
    m_shown = {&run, run.startedAtMs()};
    const qint64 now = stream->answerClockMs();
    refreshRuns(now);
    refreshFigures(&run, now);
    refreshAnswer(run);
    // Durations run on while the newest run does. (A stream stopped by hand leaves its run
    // running; no ticks for that.)
    if (runs.back().outcome() == AnswerRun::Outcome::Running && stream->isConnected()) {
        scheduleRefresh();
    }
}

void TokenView::refreshRuns(qint64 nowMs)
{
    const std::deque<AnswerRun> &runs = m_stream->answerRuns();
    bool same = m_rows.size() == qsizetype(runs.size());
    for (qsizetype i = 0; same && i < m_rows.size(); ++i) {
        const AnswerRun &run = runs[size_t(i)];
        same = m_rows.at(i).key == RunKey{&run, run.startedAtMs()};
    }
    const QSignalBlocker blockRuns(m_runs);
    const QSignalBlocker blockTable(m_table);
    if (!same) {
        m_rows.clear();
        m_runs->clear();
        m_table->setRowCount(int(runs.size()));
        for (const AnswerRun &run : runs) {
            m_rows.append({{&run, run.startedAtMs()}, false});
            m_runs->addItem(QString());
        }
    }
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        RowState &row = m_rows[i];
        if (row.final) {
            continue;
        }
        const AnswerRun &run = runs[size_t(i)];
        const int number = runNumber(row.key);
        const TokenTimer::Figures f = run.figures(nowMs);
        const int r = int(i);
        m_runs->setItemText(r, runLabel(number, run, nowMs));
        m_runs->setItemData(r, run.interruption(), Qt::ToolTipRole);
        setCell(m_table, r, RunColumn,
            QStringLiteral("#%1 %2").arg(number).arg(clockTime(run.startedAtMs())));
        setCell(m_table, r, TtftColumn, formatDuration(f.timeToFirstTokenMs));
        setCell(m_table, r, TokensPerSecondColumn, tokensPerSecond(f), estimateToolTip(f));
        setCell(m_table, r, DurationColumn, formatDuration(f.durationMs));
        setCell(m_table, r, OutputTokensColumn, tokens(f), estimateToolTip(f));
        setCell(
            m_table, r, OutcomeColumn, AnswerRun::outcomeName(run.outcome()), run.interruption());
        row.final = run.outcome() != AnswerRun::Outcome::Running;
    }
    const int shown = indexOf(m_shown);
    m_runs->setCurrentIndex(shown);
    if (m_table->currentRow() != shown) {
        m_table->selectRow(shown);
    }
}

void TokenView::refreshFigures(const AnswerRun *run, qint64 nowMs)
{
    const TokenTimer::Figures f = run->figures(nowMs);
    const TokenStreamDecoder &answer = run->answer();
    m_timeToHeaders->setText(formatDuration(f.timeToHeadersMs));
    m_timeToFirstToken->setText(formatDuration(f.timeToFirstTokenMs));
    m_duration->setText(formatDuration(f.durationMs));
    m_outputTokens->setText(tokens(f));
    m_outputTokens->setToolTip(
        f.estimated ? estimateToolTip(f) : tr("As the server reported in its usage"));
    m_tokensPerSecond->setText(tokensPerSecond(f));
    const QString pace = tr("The output tokens after the first delta over the time from the "
                            "first delta to the last");
    m_tokensPerSecond->setToolTip(f.estimated ? pace + u'\n' + estimateToolTip(f) : pace);
    m_gaps->setText(f.gapMaxMs < 0
            ? QStringLiteral("-")
            : tr("p50 %1 · p99 %2 · max %3")
                  .arg(formatDuration(f.gapP50Ms), formatDuration(f.gapP99Ms),
                      formatDuration(f.gapMaxMs)));
    m_sparkline->setGaps(run->gaps());
    m_stopReason->setText(
        answer.stopReason().isEmpty() ? QStringLiteral("-") : answer.stopReason());
    m_inputTokens->setText(
        f.inputTokens < 0 ? QStringLiteral("-") : QLocale().toString(f.inputTokens));
    m_format->setText(tokenFormatName(answer.format()));
    m_model->setText(answer.model());
    showFigure(m_model, !answer.model().isEmpty());
    m_unknown->setText(QLocale().toString(answer.unknownEvents()));
    showFigure(m_unknown, answer.unknownEvents() > 0);
    m_malformed->setText(QLocale().toString(answer.malformedEvents()));
    showFigure(m_malformed, answer.malformedEvents() > 0);
}

void TokenView::refreshAnswer(const AnswerRun &run)
{
    if (m_drawn == m_shown) {
        m_answer->showGrowth(run);
        return;
    }
    m_drawn = m_shown;
    m_answer->showRun(run, m_following);
}

void TokenView::redrawAnswer()
{
    if (m_drawn.run) {
        if (const AnswerRun *run = runAt(indexOf(m_drawn))) {
            m_answer->redraw(*run);
        }
    }
}

QString TokenView::formatDuration(qint64 ms)
{
    if (ms < 0) {
        return QStringLiteral("-");
    }
    if (ms < 1000) {
        return tr("%1 ms").arg(ms);
    }
    if (ms < 60000) {
        return tr("%1 s").arg(double(ms) / 1000, 0, 'f', ms < 10000 ? 2 : 1);
    }
    return tr("%1 min %2 s").arg(ms / 60000).arg(ms % 60000 / 1000);
}

QString TokenView::runLabel(int number, const AnswerRun &run, qint64 nowMs)
{
    const TokenTimer::Figures f = run.figures(nowMs);
    QStringList parts{QStringLiteral("#%1 %2").arg(number).arg(clockTime(run.startedAtMs())),
        AnswerRun::outcomeName(run.outcome()), formatDuration(f.durationMs)};
    if (f.outputTokens >= 0) {
        parts.append(tr("%1 tok").arg(tokens(f)));
    }
    return parts.join(QStringLiteral(" · "));
}

QJsonObject TokenView::runJson(const StreamConfig &config, const AnswerRun &run, qint64 nowMs)
{
    QJsonArray headers;
    for (const auto &[name, value] : config.headers) {
        headers.append(
            QString::fromUtf8(name) + QStringLiteral(": ") + maskedHeaderValue(name, value));
    }
    QJsonObject request{
        {QStringLiteral("url"), config.url.toString(QUrl::RemovePassword)},
        {QStringLiteral("method"), QString::fromLatin1(config.method)},
        {QStringLiteral("headers"), headers},
        {QStringLiteral("body"), QString::fromUtf8(config.body)},
    };
    const TokenStreamDecoder &answer = run.answer();
    QJsonArray blocks;
    for (const TokenBlock &block : answer.blocks()) {
        QJsonObject object{
            {QStringLiteral("kind"), kindName(block.kind)},
            {QStringLiteral("name"), stringOrNull(block.name)},
            {QStringLiteral("text"), block.text},
        };
        if (!block.id.isEmpty()) {
            object.insert(QStringLiteral("id"), block.id);
        }
        if (block.choice != 0) {
            object.insert(QStringLiteral("choice"), block.choice);
        }
        if (block.truncated) {
            object.insert(QStringLiteral("truncated"), true);
        }
        blocks.append(object);
    }
    QJsonValue error;
    if (const std::optional<TokenStreamError> e = answer.error()) {
        error = QJsonObject{
            {QStringLiteral("type"), e->type}, {QStringLiteral("message"), e->message}};
    }
    const TokenUsage usage = answer.usage();
    // The events as they came, for a bug report: ms after the request, type, data.
    QJsonArray events;
    for (const AnswerRun::Event &event : run.keptEvents()) {
        events.append(QJsonObject{{QStringLiteral("t"), event.atMs},
            {QStringLiteral("type"), QString::fromUtf8(event.type)},
            {QStringLiteral("data"), QString::fromUtf8(event.data)}});
    }
    return QJsonObject{
        {QStringLiteral("stream"), config.name},
        {QStringLiteral("request"), request},
        {QStringLiteral("startedAt"),
            QDateTime::fromMSecsSinceEpoch(run.startedAtMs(), Qt::UTC).toString(Qt::ISODateWithMs)},
        {QStringLiteral("format"), tokenFormatName(answer.format())},
        {QStringLiteral("outcome"), AnswerRun::outcomeName(run.outcome())},
        {QStringLiteral("interruption"), stringOrNull(run.interruption())},
        {QStringLiteral("text"), answer.answerText()},
        {QStringLiteral("blocks"), blocks},
        {QStringLiteral("stopReason"), stringOrNull(answer.stopReason())},
        {QStringLiteral("usage"), usage.raw.isEmpty() ? QJsonValue() : QJsonValue(usage.raw)},
        {QStringLiteral("figures"), run.figuresJson(nowMs)},
        {QStringLiteral("model"), stringOrNull(answer.model())},
        {QStringLiteral("error"), error},
        {QStringLiteral("eventCount"), run.events()},
        {QStringLiteral("events"), events},
        {QStringLiteral("eventsNotKept"), run.eventsNotKept()},
    };
}

bool TokenView::exportRun(int index, const QString &path, QString *error) const
{
    const AnswerRun *run = runAt(index);
    if (!run) {
        if (error) {
            *error = tr("no such run");
        }
        return false;
    }
    const QByteArray json
        = QJsonDocument(runJson(m_stream->config(), *run, m_stream->answerClockMs())).toJson();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(json) != json.size() || !file.commit()) {
        if (error) {
            *error = file.errorString();
        }
        return false;
    }
    return true;
}

void TokenView::exportInteractively()
{
    // The dialog runs the event loop: runs may come and go meanwhile.
    const RunKey shown = m_shown;
    if (indexOf(shown) < 0) {
        return;
    }
    QString name = m_stream->config().name;
    name.replace(QRegularExpression(QStringLiteral("[^\\w.-]+")), QStringLiteral("-"));
    const QString suggested = QStringLiteral("%1-run-%2.json")
                                  .arg(name.isEmpty() ? QStringLiteral("stream") : name)
                                  .arg(runNumber(shown));
    QString path
        = QFileDialog::getSaveFileName(this, tr("Export Run"), suggested, tr("JSON (*.json)"));
    if (path.isEmpty()) {
        return;
    }
    if (QFileInfo(path).suffix().isEmpty()) {
        path += QStringLiteral(".json");
    }
    QString error = tr("the run is no longer kept");
    const int index = indexOf(shown);
    QPalette palette = m_exportStatus->palette();
    if (index >= 0 && exportRun(index, path, &error)) {
        m_exportStatus->setText(tr("Exported run #%1 to %2").arg(runNumber(shown)).arg(path));
        palette.setColor(QPalette::WindowText, this->palette().color(QPalette::WindowText));
        m_exportStatus->setPalette(palette);
        m_exportStatus->show();
        emit runExported(path);
    } else {
        const QString message = tr("Could not export to %1: %2").arg(path, error);
        m_exportStatus->setText(message);
        palette.setColor(QPalette::WindowText, errorTextColor(this->palette()));
        m_exportStatus->setPalette(palette);
        m_exportStatus->show();
        emit exportFailed(message);
    }
}

} // namespace streamscope
