// SPDX-License-Identifier: GPL-3.0-or-later
#include "chartview.h"

#include "fieldlistmodel.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>
#include <QMouseEvent>
#include <QRubberBand>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace streamscope {

namespace {

constexpr double s_wheelZoom = 0.8; // one wheel notch zooms in to 80%
constexpr int s_dragThresholdPx = 3;

} // namespace

ChartView::ChartView(QChart *chart, QWidget *parent)
    : QChartView(chart, parent)
{
    setRenderHint(QPainter::Antialiasing);
    setRubberBand(QChartView::NoRubberBand);
    setAcceptDrops(true);
    setFrameShape(QFrame::NoFrame);
    viewport()->setMouseTracking(true);
}

void ChartView::setTimeRange(double fromMs, double toMs)
{
    m_range = {fromMs, toMs};
}

void ChartView::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasFormat(SeriesMimeType)) {
        event->acceptProposedAction();
    } else {
        event->ignore();
    }
}

void ChartView::dragMoveEvent(QDragMoveEvent *event)
{
    if (event->mimeData()->hasFormat(SeriesMimeType)) {
        event->acceptProposedAction();
    } else {
        event->ignore();
    }
}

void ChartView::dropEvent(QDropEvent *event)
{
    bool taken = false;
    emit seriesDropped(seriesFromMimeData(event->mimeData()), &taken);
    if (taken) {
        event->acceptProposedAction();
    } else {
        event->ignore();
    }
}

void ChartView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        event->ignore();
        return;
    }
    m_pressX = event->position().x();
    m_pressRange = m_range;
    m_drag = event->modifiers() & Qt::ShiftModifier ? Drag::Select : Drag::Pan;
    m_moved = false;
    emit hoverLeft();
    event->accept();
}

void ChartView::mouseMoveEvent(QMouseEvent *event)
{
    const double x = event->position().x();
    if (m_drag == Drag::None) {
        emit hoverMoved(timeAt(x, m_range), event->globalPosition().toPoint());
        return;
    }
    if (!m_moved && std::abs(x - m_pressX) < s_dragThresholdPx) {
        return;
    }
    m_moved = true;
    const QRectF plot = plotInViewport();
    if (m_drag == Drag::Pan) {
        const auto [from, to] = m_pressRange;
        const double shiftMs = (x - m_pressX) / std::max(1.0, plot.width()) * (to - from);
        emit rangeRequested(from - shiftMs, to - shiftMs);
        return;
    }
    if (!m_band) {
        m_band = new QRubberBand(QRubberBand::Rectangle, viewport());
    }
    const double left = std::clamp(std::min(x, m_pressX), plot.left(), plot.right());
    const double right = std::clamp(std::max(x, m_pressX), plot.left(), plot.right());
    m_band->setGeometry(QRectF(left, plot.top(), right - left, plot.height()).toRect());
    m_band->show();
}

void ChartView::mouseReleaseEvent(QMouseEvent *event)
{
    const bool selected = m_drag == Drag::Select && m_moved;
    m_drag = Drag::None;
    if (m_band) {
        m_band->hide();
    }
    event->accept();
    if (selected) {
        const double a = timeAt(m_pressX, m_pressRange);
        const double b = timeAt(event->position().x(), m_pressRange);
        emit rangeRequested(std::min(a, b), std::max(a, b));
    }
}

void ChartView::mouseDoubleClickEvent(QMouseEvent *event)
{
    event->accept();
    emit liveRequested();
}

void ChartView::wheelEvent(QWheelEvent *event)
{
    if (!m_paused && !(event->modifiers() & Qt::ControlModifier)) {
        event->ignore();
        return;
    }
    const double notches = event->angleDelta().y() / 120.0;
    event->accept();
    if (notches != 0) {
        emit zoomRequested(std::pow(s_wheelZoom, notches), timeAt(event->position().x(), m_range));
    }
}

void ChartView::leaveEvent(QEvent *event)
{
    emit hoverLeft();
    QChartView::leaveEvent(event);
}

void ChartView::contextMenuEvent(QContextMenuEvent *event)
{
    emit menuRequested(event->globalPos());
}

QRectF ChartView::plotInViewport() const
{
    return mapFromScene(chart()->mapToScene(chart()->plotArea())).boundingRect();
}

double ChartView::timeAt(double x, std::pair<double, double> range) const
{
    const QRectF plot = plotInViewport();
    const double fraction = (x - plot.left()) / std::max(1.0, plot.width());
    return range.first + fraction * (range.second - range.first);
}

} // namespace streamscope
