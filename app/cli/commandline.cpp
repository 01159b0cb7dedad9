// SPDX-License-Identifier: GPL-3.0-or-later
#include "commandline.h"

#include "democommand.h"
#include "llmcommand.h"
#include "mqttcommand.h"
#include "options.h"
#include "socketiocommand.h"
#include "ssecommand.h"
#include "wscommand.h"

#include <unistd.h>

namespace streamscope {

CommandLine::CommandLine(QObject *parent)
    : QObject(parent)
    , m_out(STDOUT_FILENO, &m_clock)
    , m_err(STDERR_FILENO, &m_clock)
{
    m_clock.start();
    // `streamscope-cli sse URL | head -3`: when stdout's reader is gone, the run is over.
    connect(&m_out, &RecordWriter::outputClosed, this, &CommandLine::interrupt);
}

CommandLine::~CommandLine() = default;

template <typename Runner, typename Options> void CommandLine::run(const Options &options)
{
    auto *command = new Runner(options, &m_out, &m_err, this);
    connect(command, &Runner::finished, this, &CommandLine::finished);
    m_interrupt = [command] { command->interrupt(); };
    command->start();
}

std::optional<int> CommandLine::start(const QStringList &arguments)
{
    using Outcome = ParsedCommandLine::Outcome;
    const ParsedCommandLine parsed = parseCommandLine(arguments);
    switch (parsed.outcome) {
    case Outcome::Help:
        m_out.write(parsed.text.toUtf8());
        m_out.flush();
        return 0;
    case Outcome::Version:
        m_out.write("streamscope-cli " STREAMSCOPE_VERSION "\n");
        m_out.flush();
        return 0;
    case Outcome::Usage:
        m_err.write(
            "streamscope-cli: " + parsed.error.toUtf8() + " (" + parsed.helpHint.toUtf8() + ")\n");
        m_err.flush();
        return 2;
    case Outcome::Run:
        break;
    }

    switch (parsed.command) {
    case Command::Sse:
        run<SseCommand>(parsed.sse);
        break;
    case Command::Ws:
        run<WsCommand>(parsed.ws);
        break;
    case Command::SocketIo:
        run<SocketIoCommand>(parsed.socketIo);
        break;
    case Command::Mqtt:
        run<MqttCommand>(parsed.mqtt);
        break;
    case Command::Llm:
        run<LlmCommand>(parsed.llm);
        break;
    case Command::Demo:
        run<DemoCommand>(parsed.demo);
        break;
    }
    return std::nullopt;
}

void CommandLine::interrupt()
{
    if (m_interrupt) {
        m_interrupt();
    }
}

} // namespace streamscope
