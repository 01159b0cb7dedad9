// SPDX-License-Identifier: GPL-3.0-or-later
// About 700 lines: the window wires every part (docks, actions, the workspace files); the parts
// themselves live in their own classes (LogPane, StreamActions, ProblemBanner, RecentWorkspaces).
#include "mainwindow.h"

#include "charts/chartpanel.h"
#include "detailpane.h"
#include "eventlogfilter.h"
#include "eventlogmodel.h"
#include "fieldbrowser.h"
#include "healthpanel.h"
#include "logexport.h"
#include "logpane.h"
#include "problembanner.h"
#include "streamactions.h"
#include "streamdelegate.h"
#include "streamdialog.h"
#include "streamlistmodel.h"
#include "tokenview.h"
#include "workspace.h"

#include <QAction>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollBar>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace streamscope {

namespace {

const auto WorkspaceFilter = QStringLiteral("Streamscope workspaces (*.json);;All files (*)");

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_recorder(&m_streams, &m_metrics)
    , m_logModel(new EventLogModel(EventLog::DefaultCapacity, this))
    , m_filter(new EventLogFilter(this))
    , m_streamModel(new StreamListModel(&m_streams, this))
{
    setObjectName(QStringLiteral("mainWindow"));
    m_logModel->setStreamSet(&m_streams);
    m_filter->setSourceModel(m_logModel);

    createActions();
    // Charts above the log: the numbers at a glance, the events that carry them below.
    m_charts = new ChartPanel(&m_metrics, &m_streams);
    m_charts->setObjectName(QStringLiteral("chartPanel"));
    auto *centre = new QSplitter(Qt::Vertical);
    centre->setObjectName(QStringLiteral("centreSplitter"));
    centre->setChildrenCollapsible(false);
    centre->addWidget(m_charts);
    centre->addWidget(createLogArea());
    centre->setStretchFactor(0, 3);
    centre->setStretchFactor(1, 2);
    centre->setSizes({500, 300}); // two rows of charts in view at the default size
    setCentralWidget(centre);
    createDocks();
    createMenus();
    wireStreams();

    m_rowsLabel = new QLabel;
    m_rowsLabel->setObjectName(QStringLiteral("rowsLabel"));
    m_droppedLabel = new QLabel;
    m_droppedLabel->setObjectName(QStringLiteral("droppedLabel"));
    m_rateLabel = new QLabel;
    m_rateLabel->setObjectName(QStringLiteral("rateLabel"));
    statusBar()->addPermanentWidget(m_rowsLabel);
    statusBar()->addPermanentWidget(m_droppedLabel);
    statusBar()->addPermanentWidget(m_rateLabel);
    m_statusTimer.setInterval(1000);
    connect(&m_statusTimer, &QTimer::timeout, this, &MainWindow::updateStatus);
    m_statusTimer.start();

    resize(1280, 800);
    rebuildRecentMenu();
    updateTitle();
    updateStatus();
}

MainWindow::~MainWindow()
{
    // The views and the health panel go before the streams they show.
    m_health->setStream(nullptr);
    delete m_fields;
    delete m_charts;
    m_streams.clear();
}

void MainWindow::createActions()
{
    const auto make = [this](const QString &text, const QKeySequence &key, const char *name) {
        auto *action = new QAction(text, this);
        action->setObjectName(QString::fromLatin1(name));
        if (!key.isEmpty()) {
            action->setShortcut(key);
        }
        return action;
    };
    m_newAction = make(
        tr("&New Workspace"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N), "newWorkspaceAction");
    m_openAction = make(tr("&Open Workspace…"), QKeySequence::Open, "openAction");
    m_saveAction = make(tr("&Save Workspace"), QKeySequence::Save, "saveAction");
    m_saveAsAction = make(tr("Save Workspace &As…"), QKeySequence::SaveAs, "saveAsAction");
    m_exportAction = make(tr("&Export Log…"), QKeySequence(Qt::CTRL | Qt::Key_E), "exportAction");
    m_exportAction->setToolTip(tr("Export the rows shown (filtered) as NDJSON or CSV"));
    m_demoAction = make(tr("Open &Demo Streams"), QKeySequence(), "demoAction");
    m_quitAction = make(tr("&Quit"), QKeySequence::Quit, "quitAction");

    m_capacityAction = make(tr("Log &Capacity…"), QKeySequence(), "capacityAction");
    m_capacityAction->setToolTip(tr("How many rows the log keeps; the oldest go first"));
    m_findAction = make(tr("&Find in Log"), QKeySequence::Find, "findAction");
    m_followAction = make(tr("&Follow Newest"), QKeySequence(Qt::Key_Space), "followAction");
    m_followAction->setCheckable(true);
    m_followAction->setChecked(true);
    m_followAction->setToolTip(tr("Stick to the newest row (Space in the log pauses the view; "
                                  "events keep arriving)"));

    connect(m_newAction, &QAction::triggered, this, [this] {
        if (maybeSave()) {
            newWorkspace();
        }
    });
    connect(m_openAction, &QAction::triggered, this, &MainWindow::openInteractively);
    connect(m_saveAction, &QAction::triggered, this, &MainWindow::saveInteractively);
    connect(m_saveAsAction, &QAction::triggered, this, &MainWindow::saveAsInteractively);
    connect(m_exportAction, &QAction::triggered, this, &MainWindow::exportInteractively);
    connect(m_demoAction, &QAction::triggered, this, [this] {
        if (maybeSave()) {
            openDemo();
        }
    });
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);
    m_streamActions = new StreamActions(this);
    connect(
        m_streamActions, &StreamActions::addRequested, this, &MainWindow::addStreamInteractively);
    connect(m_streamActions, &StreamActions::editRequested, this, &MainWindow::editSelectedStream);
    connect(
        m_streamActions, &StreamActions::clearRequested, this, &MainWindow::clearSelectedStream);
    connect(
        m_streamActions, &StreamActions::removeRequested, this, &MainWindow::removeSelectedStream);
    connect(m_streamActions, &StreamActions::noted, this,
        [this](const QString &message) { statusBar()->showMessage(message, 3000); });
    connect(m_capacityAction, &QAction::triggered, this, [this] {
        bool ok = false;
        const int capacity = QInputDialog::getInt(this, tr("Log Capacity"),
            tr("Rows kept in the log (the oldest go first):"), int(m_logModel->capacity()), 1000,
            int(EventLog::MaxCapacity), 10000, &ok);
        if (ok && capacity != m_logModel->capacity()) {
            m_logModel->setCapacity(capacity);
            setModified(true);
            updateStatus();
        }
    });
    connect(m_findAction, &QAction::triggered, this, [this] { m_logPane->focusTextFilter(); });
}

QWidget *MainWindow::createLogArea()
{
    m_logPane = new LogPane(m_filter, m_followAction);
    m_logPane->setObjectName(QStringLiteral("logPane"));
    connect(m_logPane, &LogPane::filterEdited, this, [this] { setModified(true); });
    connect(m_logPane, &LogPane::currentRowChanged, this, &MainWindow::showCurrentRow);

    m_problemBanner = new ProblemBanner;

    auto *area = new QWidget;
    auto *layout = new QVBoxLayout(area);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->addWidget(m_problemBanner);
    layout->addWidget(m_logPane, 1);
    rebuildStreamFilter();
    return area;
}

QTableView *MainWindow::logView() const
{
    return m_logPane->table();
}

// The log's stream filter offers the streams by name, in the set's order.
void MainWindow::rebuildStreamFilter()
{
    QList<QPair<int, QString>> streams;
    for (const int id : m_streams.ids()) {
        streams.append({id, m_streams.stream(id)->config().name});
    }
    m_logPane->setStreams(streams);
}

void MainWindow::createDocks()
{
    m_streamList = new QListView;
    m_streamList->setObjectName(QStringLiteral("streamList"));
    m_streamList->setModel(m_streamModel);
    m_streamList->setItemDelegate(new StreamDelegate(m_streamList));
    m_streamList->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_streamList->setUniformItemSizes(true);
    m_streamList->setSelectionMode(QAbstractItemView::SingleSelection);
    m_streamList->addActions(m_streamActions->all());
    auto *sidebar = new QDockWidget(tr("Streams"), this);
    sidebar->setObjectName(QStringLiteral("streamsDock"));
    sidebar->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    sidebar->setWidget(m_streamList);
    addDockWidget(Qt::LeftDockWidgetArea, sidebar);

    m_health = new HealthPanel;
    m_health->setObjectName(QStringLiteral("healthPanel"));
    auto *healthDock = new QDockWidget(tr("Health"), this);
    healthDock->setObjectName(QStringLiteral("healthDock"));
    healthDock->setWidget(m_health);
    addDockWidget(Qt::RightDockWidgetArea, healthDock);

    m_detail = new DetailPane;
    m_detail->setObjectName(QStringLiteral("detailPane"));
    m_fields = new FieldBrowser(&m_metrics, &m_streams, m_charts);
    m_fields->setObjectName(QStringLiteral("fieldBrowser"));
    m_fieldsDock = new QDockWidget(tr("Fields"), this);
    m_fieldsDock->setObjectName(QStringLiteral("fieldsDock"));
    m_fieldsDock->setWidget(m_fields);
    addDockWidget(Qt::RightDockWidgetArea, m_fieldsDock);
    splitDockWidget(healthDock, m_fieldsDock, Qt::Vertical);

    auto *detailDock = new QDockWidget(tr("Detail"), this);
    detailDock->setObjectName(QStringLiteral("detailDock"));
    detailDock->setWidget(m_detail);
    addDockWidget(Qt::BottomDockWidgetArea, detailDock);

    // Beside the log: the selected LLM stream's answer; shown when such a stream is selected.
    m_tokenView = new TokenView;
    m_tokenView->setObjectName(QStringLiteral("tokenView"));
    m_answerDock = new QDockWidget(tr("Answer"), this);
    m_answerDock->setObjectName(QStringLiteral("answerDock"));
    m_answerDock->setWidget(m_tokenView);
    addDockWidget(Qt::RightDockWidgetArea, m_answerDock);
    tabifyDockWidget(m_fieldsDock, m_answerDock);
    m_fieldsDock->raise();
    // The sidebar and the health panel run full height; the detail sits under the log.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    resizeDocks({sidebar, healthDock}, {220, 330}, Qt::Horizontal);
    resizeDocks({detailDock}, {150}, Qt::Vertical);

    auto *toolBar = addToolBar(tr("Streams"));
    toolBar->setObjectName(QStringLiteral("streamsToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolBar->addActions(m_streamActions->toolBarActions());
    toolBar->addSeparator();
    toolBar->addAction(m_followAction);
    toolBar->addAction(m_exportAction);

    connect(m_streamList->selectionModel(), &QItemSelectionModel::currentChanged, this,
        &MainWindow::selectionChanged);
    connect(m_streamList, &QListView::doubleClicked, this, &MainWindow::editSelectedStream);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_newAction);
    file->addAction(m_openAction);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    file->addAction(m_saveAction);
    file->addAction(m_saveAsAction);
    file->addSeparator();
    file->addAction(m_exportAction);
    file->addAction(m_demoAction);
    file->addSeparator();
    file->addAction(m_quitAction);

    menuBar()->addMenu(tr("&Stream"))->addActions(m_streamActions->all());

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_findAction);
    view->addAction(m_followAction);
    view->addAction(m_capacityAction);
    view->addSeparator();
    for (QDockWidget *dock : findChildren<QDockWidget *>()) {
        view->addAction(dock->toggleViewAction());
    }
}

void MainWindow::wireStreams()
{
    connect(&m_streams, &StreamSet::eventArrived, m_logModel, &EventLogModel::append);
    connect(&m_streams, &StreamSet::streamAdded, this, &MainWindow::rebuildStreamFilter);
    connect(&m_streams, &StreamSet::streamRemoved, this, &MainWindow::rebuildStreamFilter);
    connect(&m_streams, &StreamSet::streamRemoved, m_charts, &ChartPanel::removeStream);
    connect(m_charts, &ChartPanel::chartsEdited, this, [this] { setModified(true); });
}

int MainWindow::addStream(const StreamConfig &config, bool connectNow)
{
    const int id = m_streams.add(config);
    if (connectNow) {
        if (Stream *stream = m_streams.stream(id)) {
            stream->connectToServer();
        }
    }
    selectStream(id);
    setModified(true);
    return id;
}

int MainWindow::selectedStreamId() const
{
    const QModelIndex current = m_streamList->currentIndex();
    return current.isValid() ? m_streamModel->streamIdAt(current.row()) : 0;
}

void MainWindow::selectStream(int id)
{
    const int row = m_streamModel->rowOf(id);
    if (row >= 0) {
        m_streamList->setCurrentIndex(m_streamModel->index(row, 0));
    }
}

void MainWindow::selectionChanged()
{
    Stream *stream = m_streams.stream(selectedStreamId());
    m_health->setStream(stream);
    m_tokenView->setStream(stream);
    m_streamActions->setStream(stream);
    // The tab follows the selection: the answer for an LLM stream, the fields for the others.
    if (stream && stream->config().tokenFormat()) {
        m_answerDock->show();
        m_answerDock->raise();
    } else if (!tabifiedDockWidgets(m_answerDock).isEmpty()) {
        m_fieldsDock->raise();
    }
}

void MainWindow::addStreamInteractively()
{
    if (m_dialog) {
        m_dialog->raise();
        return;
    }
    m_dialog = new StreamDialog(this);
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_dialog->setWindowTitle(tr("Add Stream"));
    StreamConfig config;
    config.name = tr("stream %1").arg(m_streams.count() + 1);
    m_dialog->setConfig(config);
    connect(m_dialog, &QDialog::accepted, this,
        [this, dialog = m_dialog] { addStream(dialog->config()); });
    m_dialog->open();
}

void MainWindow::editSelectedStream()
{
    const int id = selectedStreamId();
    Stream *stream = m_streams.stream(id);
    if (!stream || m_dialog) {
        return;
    }
    m_dialog = new StreamDialog(this);
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_dialog->setWindowTitle(tr("Edit Stream"));
    m_dialog->setConfig(stream->config());
    connect(m_dialog, &QDialog::accepted, this, [this, id, dialog = m_dialog] {
        if (Stream *edited = m_streams.stream(id)) {
            edited->setConfig(dialog->config());
            rebuildStreamFilter();
            setModified(true);
            selectionChanged();
        }
    });
    m_dialog->open();
}

void MainWindow::removeSelectedStream()
{
    const int id = selectedStreamId();
    if (!m_streams.stream(id)) {
        return;
    }
    m_health->setStream(nullptr);
    m_streams.remove(id);
    m_logModel->removeStream(id);
    setModified(true);
    selectionChanged();
}

void MainWindow::clearSelectedStream()
{
    const int id = selectedStreamId();
    if (m_streams.stream(id)) {
        m_logModel->removeStream(id);
        m_detail->clear();
    }
}

void MainWindow::showCurrentRow(const QModelIndex &current)
{
    const QModelIndex source = m_filter->mapToSource(current);
    if (!source.isValid()) {
        m_detail->clear();
        return;
    }
    const StreamEvent &event = m_logModel->eventAt(source.row());
    const Stream *stream = m_streams.stream(event.streamId);
    m_detail->setEvent(event, m_logModel->streamName(event.streamId),
        stream ? stream->config().headers : HeaderList());
}

void MainWindow::updateStatus()
{
    // Connect/Disconnect follow the selected stream's state; health signals come per event,
    // so the actions are refreshed with the status bar rather than on each.
    m_streamActions->refresh();
    const int shown = m_filter->rowCount();
    const int total = m_logModel->rowCount();
    m_rowsLabel->setText(shown == total
            ? tr("%1 rows").arg(QLocale().toString(total))
            : tr("%1 of %2 rows").arg(QLocale().toString(shown), QLocale().toString(total)));
    m_droppedLabel->setText(
        tr("dropped by bound: %1").arg(QLocale().toString(m_logModel->droppedCount())));
    double rate = 0;
    for (const int id : m_streams.ids()) {
        rate += m_streams.stream(id)->health().eventsPerSecond;
    }
    m_rateLabel->setText(tr("%1 events/s").arg(QLocale().toString(rate, 'f', 1)));
}

void MainWindow::showProblem(const QString &message)
{
    m_problemBanner->showProblem(message);
}

QString MainWindow::problemText() const
{
    return m_problemBanner->problem();
}

void MainWindow::setModified(bool modified)
{
    setWindowModified(modified);
    updateTitle();
}

void MainWindow::updateTitle()
{
    const QString name = m_path.isEmpty() ? tr("Untitled") : QFileInfo(m_path).fileName();
    setWindowTitle(name + QStringLiteral("[*]"));
}

void MainWindow::newWorkspace()
{
    m_health->setStream(nullptr);
    m_detail->clear();
    m_charts->clear();
    m_streams.clear();
    m_metrics.clear();
    m_logModel->clear();
    m_filter->setState(LogFilterState(), {}); // every criterion back to its default
    m_logModel->setCapacity(EventLog::DefaultCapacity);
    m_path.clear();
    m_problemBanner->hide();
    rebuildStreamFilter();
    m_logPane->syncFilterBar();
    m_logPane->applyFilterBar();
    m_logPane->setFollowing(true);
    setModified(false);
}

void MainWindow::openDemo()
{
    if (!m_demoSource) {
        showProblem(tr("This build has no demo feed."));
        return;
    }
    QString error;
    const Workspace demo = m_demoSource(&error);
    if (demo.streams.isEmpty()) {
        showProblem(tr("The demo feed could not start: %1").arg(error));
        return;
    }
    newWorkspace();
    QStringList problems;
    applyWorkspace(demo, &problems);
    if (!problems.isEmpty()) {
        showProblem(tr("The demo workspace loaded in part. Left out:\n%1")
                        .arg(problems.join(QLatin1Char('\n'))));
    }
    setModified(false);
}

bool MainWindow::openWorkspace(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        showProblem(tr("Could not open %1: %2").arg(path, file.errorString()));
        return false;
    }
    if (file.size() > Workspace::MaxFileBytes) {
        showProblem(tr("%1 is not a workspace: %2 bytes, more than the %3 a workspace may have")
                        .arg(path)
                        .arg(file.size())
                        .arg(Workspace::MaxFileBytes));
        return false;
    }
    const Workspace::Loaded loaded = Workspace::fromJson(file.readAll());
    if (!loaded.readable) {
        showProblem(
            tr("%1 is not a workspace: %2")
                .arg(QFileInfo(path).fileName(), loaded.problems.join(QStringLiteral("; "))));
        return false;
    }
    newWorkspace();
    QStringList problems = loaded.problems;
    applyWorkspace(loaded.workspace, &problems);
    m_path = QFileInfo(path).absoluteFilePath();
    setModified(false);
    addRecentFile(m_path);
    rememberLastWorkspace();
    if (!problems.isEmpty()) {
        showProblem(tr("%1 loaded in part. Left out:\n%2")
                        .arg(QFileInfo(path).fileName(), problems.join(QLatin1Char('\n'))));
    }
    return true;
}

void MainWindow::applyWorkspace(const Workspace &workspace, QStringList *problems)
{
    // Workspace::fromJson keeps logCapacity within EventLog's bound; EventLog clamps any other.
    m_logModel->setCapacity(workspace.logCapacity);
    QList<int> order;
    for (const StreamConfig &config : workspace.streams) {
        order.append(m_streams.add(config));
    }
    // Charts and extraction settings first, so the first events are already plotted.
    m_charts->setState(workspace.charts, order);
    for (const int id : std::as_const(order)) {
        m_streams.stream(id)->connectToServer();
    }
    m_filter->setState(workspace.filters, order);
    rebuildStreamFilter();
    m_logPane->syncFilterBar();
    if (!workspace.layout.geometry.isEmpty() && !restoreGeometry(workspace.layout.geometry)) {
        problems->append(tr("layout.geometry: not a saved window geometry; ignored"));
    }
    if (!workspace.layout.state.isEmpty() && !restoreState(workspace.layout.state)) {
        problems->append(tr("layout.state: not a saved window layout; ignored"));
    }
    if (!order.isEmpty()) {
        selectStream(order.constFirst());
    }
}

bool MainWindow::saveWorkspace(const QString &path)
{
    Workspace workspace;
    for (const int id : m_streams.ids()) {
        workspace.streams.append(m_streams.stream(id)->config());
    }
    workspace.filters = m_filter->state(m_streams.ids());
    workspace.layout = {saveGeometry(), saveState()};
    workspace.logCapacity = m_logModel->capacity();
    workspace.charts = m_charts->state(m_streams.ids());

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(workspace.toJson()) < 0 || !file.commit()) {
        showProblem(tr("Could not save %1: %2").arg(path, file.errorString()));
        return false;
    }
    m_path = QFileInfo(path).absoluteFilePath();
    setModified(false);
    addRecentFile(m_path);
    rememberLastWorkspace();
    return true;
}

bool MainWindow::reopenLastWorkspace()
{
    const QString path = m_recent.last();
    if (path.isEmpty() || !QFileInfo::exists(path)) {
        return false;
    }
    return openWorkspace(path);
}

QStringList MainWindow::recentFiles() const
{
    return m_recent.files();
}

void MainWindow::addRecentFile(const QString &path)
{
    m_recent.add(path);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = recentFiles();
    for (const QString &path : files) {
        QAction *action = m_recentMenu->addAction(QFileInfo(path).fileName());
        action->setToolTip(path);
        connect(action, &QAction::triggered, this, [this, path] {
            if (maybeSave()) {
                openWorkspace(path);
            }
        });
    }
    m_recentMenu->setEnabled(!files.isEmpty());
}

void MainWindow::rememberLastWorkspace()
{
    m_recent.setLast(m_path);
}

void MainWindow::openInteractively()
{
    if (!maybeSave()) {
        return;
    }
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Workspace"), QFileInfo(m_path).absolutePath(), WorkspaceFilter);
    if (!path.isEmpty()) {
        openWorkspace(path);
    }
}

bool MainWindow::saveInteractively()
{
    return m_path.isEmpty() ? saveAsInteractively() : saveWorkspace(m_path);
}

bool MainWindow::saveAsInteractively()
{
    QString path = QFileDialog::getSaveFileName(this, tr("Save Workspace"),
        m_path.isEmpty() ? QStringLiteral("workspace.json") : m_path, WorkspaceFilter);
    if (path.isEmpty()) {
        return false;
    }
    if (QFileInfo(path).suffix().isEmpty()) {
        path += QStringLiteral(".json");
    }
    return saveWorkspace(path);
}

bool MainWindow::exportLog(const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error) {
            *error = file.errorString();
        }
        return false;
    }
    const LogExportResult result
        = streamscope::exportLog(*m_filter, file, logExportFormatForFileName(path));
    if (!result.isOk() || !file.commit()) {
        if (error) {
            *error = result.isOk() ? file.errorString() : result.error;
        }
        return false;
    }
    return true;
}

void MainWindow::exportInteractively()
{
    QString selected;
    const QString path
        = QFileDialog::getSaveFileName(this, tr("Export Log"), QStringLiteral("events.ndjson"),
            tr("NDJSON, as streamscope-cli --json (*.ndjson *.jsonl);;CSV (*.csv)"), &selected);
    if (path.isEmpty()) {
        return;
    }
    QString error;
    if (exportLog(path, &error)) {
        statusBar()->showMessage(
            tr("Exported %1 rows to %2").arg(m_filter->rowCount()).arg(path), 5000);
    } else {
        showProblem(tr("Could not export to %1: %2").arg(path, error));
    }
}

bool MainWindow::maybeSave()
{
    if (!isModified()) {
        return true;
    }
    const auto answer = QMessageBox::question(this, tr("Save Changes?"),
        tr("The workspace has changes. Save them?"),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save) {
        return saveInteractively();
    }
    return answer == QMessageBox::Discard;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    rememberLastWorkspace();
    event->accept();
}

} // namespace streamscope
