// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metricstore.h"

#include <QChartView>
#include <QList>

#include <utility>

class QRubberBand;

namespace streamscope {

// One chart's plot on screen, turning the mouse into requests: wheel zoom, drag to pan,
// shift-drag to zoom to a range, double-click back to live, hover, drops of series. It changes
// nothing itself: whoever shows the chart decides (ChartPanel through LiveChart).
class ChartView final : public QChartView
{
    Q_OBJECT
public:
    explicit ChartView(QChart *chart, QWidget *parent = nullptr);

    // The time range drawn, in ms since the epoch: the mouse's positions are read in it.
    void setTimeRange(double fromMs, double toMs);
    // Paused, the wheel zooms; live, it is the grid's (to scroll), unless Ctrl is held.
    void setPaused(bool paused) { m_paused = paused; }

signals:
    // factor < 1 zooms in; the time under the pointer stays in place.
    void zoomRequested(double factor, double anchorMs);
    // Panning and zooming to a band both ask for a range.
    void rangeRequested(double fromMs, double toMs);
    void liveRequested();
    void hoverMoved(double timeMs, const QPoint &globalPos);
    void hoverLeft();
    void menuRequested(const QPoint &globalPos);
    // Emitted on a drop of SeriesMimeType (fieldlistmodel.h); a receiver connected directly
    // sets *taken when it plotted any of the keys, or the drop is refused.
    void seriesDropped(const QList<SeriesKey> &keys, bool *taken);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    enum class Drag {
        None,
        Pan,
        Select,
    };

    QRectF plotInViewport() const;
    double timeAt(double x, std::pair<double, double> range) const;

    std::pair<double, double> m_range{0, 1};
    bool m_paused = false;
    Drag m_drag = Drag::None;
    bool m_moved = false;
    double m_pressX = 0;
    std::pair<double, double> m_pressRange; // panning moves from where it started
    QRubberBand *m_band = nullptr;
};

} // namespace streamscope
