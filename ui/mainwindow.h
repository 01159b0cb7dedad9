// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metricrecorder.h"
#include "metricstore.h"
#include "recentworkspaces.h"
#include "streamset.h"
#include "workspace.h"

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <functional>

class QAction;
class QCheckBox;
class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QListView;
class QMenu;
class QPushButton;
class QTableView;

namespace streamscope {

class ChartPanel;
class DetailPane;
class EventLogFilter;
class FieldBrowser;
class EventLogModel;
class HealthPanel;
class LogPane;
class ProblemBanner;
class TokenView;
class StreamActions;
class StreamDialog;
class StreamListModel;

// The dashboard: streams in a sidebar, one live event log with its filters in the centre, the
// selected stream's health and the selected row's detail in docks; workspaces saved as JSON.
// Network trouble shows in the log and the health panel, never in a modal dialog.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // Starts the demo feed when needed and returns its workspace (streams and charts); no
    // streams, with *error, on failure.
    using DemoSource = std::function<Workspace(QString *error)>;

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    StreamSet *streams() { return &m_streams; }
    EventLogModel *logModel() const { return m_logModel; }
    EventLogFilter *logFilter() const { return m_filter; }
    QTableView *logView() const;
    LogPane *logPane() const { return m_logPane; }
    HealthPanel *healthPanel() const { return m_health; }
    TokenView *tokenView() const { return m_tokenView; }
    DetailPane *detailPane() const { return m_detail; }
    ChartPanel *chartPanel() const { return m_charts; }
    FieldBrowser *fieldBrowser() const { return m_fields; }
    MetricStore *metrics() { return &m_metrics; }

    // Adds a stream, connects it unless told not to, selects it; marks the workspace modified.
    int addStream(const StreamConfig &config, bool connectNow = true);
    int selectedStreamId() const; // 0 when none
    void selectStream(int id);

    void setDemoSource(DemoSource source) { m_demoSource = std::move(source); }
    // A new untitled workspace with the demo's streams connecting.
    void openDemo();

    void newWorkspace();
    // Loads the valid parts; problems are shown in a non-modal message. False when nothing
    // could be read.
    bool openWorkspace(const QString &path);
    bool saveWorkspace(const QString &path);
    // The workspace open when the app last quit, if there was one and it still exists.
    bool reopenLastWorkspace();
    QString workspacePath() const { return m_path; }
    bool isModified() const { return isWindowModified(); }
    void setModified(bool modified);
    QStringList recentFiles() const;

    // The filtered rows to path: CSV when it ends in .csv, else NDJSON.
    bool exportLog(const QString &path, QString *error = nullptr);

    // A non-modal message in the window; stays until closed or replaced.
    void showProblem(const QString &message);
    QString problemText() const;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createMenus();
    QWidget *createLogArea();
    void createDocks();
    // Replaces the streams, filters, charts and layout with the workspace's; appends what was
    // left out to *problems.
    void applyWorkspace(const Workspace &workspace, QStringList *problems);
    void wireStreams();

    void addStreamInteractively();
    void editSelectedStream();
    void removeSelectedStream();
    void clearSelectedStream();
    void selectionChanged();
    void showCurrentRow(const QModelIndex &current);

    void rebuildStreamFilter();

    void updateStatus();

    void openInteractively();
    bool saveInteractively();
    bool saveAsInteractively();
    void exportInteractively();
    void addRecentFile(const QString &path);
    void rebuildRecentMenu();
    void rememberLastWorkspace();
    void updateTitle();
    bool maybeSave();

    StreamSet m_streams;
    MetricStore m_metrics;
    MetricRecorder m_recorder;
    EventLogModel *m_logModel;
    EventLogFilter *m_filter;
    StreamListModel *m_streamModel;
    DemoSource m_demoSource;
    QString m_path;
    QPointer<StreamDialog> m_dialog;
    QTimer m_statusTimer;
    RecentWorkspaces m_recent;

    QListView *m_streamList;
    LogPane *m_logPane;
    HealthPanel *m_health;
    TokenView *m_tokenView;
    QDockWidget *m_answerDock;
    QDockWidget *m_fieldsDock;
    DetailPane *m_detail;
    ChartPanel *m_charts;
    FieldBrowser *m_fields;
    ProblemBanner *m_problemBanner;
    QLabel *m_rowsLabel;
    QLabel *m_droppedLabel;
    QLabel *m_rateLabel;
    QMenu *m_recentMenu;
    StreamActions *m_streamActions;

    QAction *m_newAction;
    QAction *m_openAction;
    QAction *m_saveAction;
    QAction *m_saveAsAction;
    QAction *m_exportAction;
    QAction *m_demoAction;
    QAction *m_quitAction;
    QAction *m_findAction;
    QAction *m_followAction;
    QAction *m_capacityAction;
};

} // namespace streamscope
