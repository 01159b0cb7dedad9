// SPDX-License-Identifier: GPL-3.0-or-later
// One answer through an official SDK's streaming API (npm openai, @anthropic-ai/sdk), from a
// server that speaks the API (the demo feed in the tests), printed as one JSON line of what the
// SDK reassembled:
//   {"text":S,"inputTokens":N,"outputTokens":N,"stopReason":R}
// or, when the SDK raised an error (an error event after 200 OK, a connection closed mid-answer):
//   {"error":{"name":S,"type":S|null,"message":S},"text":S}   text: the deltas before it
//   node llm-sdk.mjs BASE_URL openai-chat|openai-responses|anthropic [MODEL]
// BASE_URL is the server's root (http://127.0.0.1:PORT): the OpenAI SDK is given BASE_URL/v1, as
// its baseURL includes the version; the Anthropic SDK adds /v1 itself. The key is a dummy one.
// No retries: one request, so the server sees exactly what the SDK did with one answer.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";

const [root, mode, model] = process.argv.slice(2);
const baseUrl = root?.replace(/\/+$/, "");
const prompt = "How do I tell a slow first token from a slow stream?";

const usage = () => {
    console.error("usage: node llm-sdk.mjs BASE_URL openai-chat|openai-responses|anthropic [MODEL]");
    process.exit(2);
};
if (!root || !mode) {
    usage();
}

// What the SDK gave us as it streamed; printed as it stands when an error ends the answer.
let text = "";

async function openAiChat() {
    const client = new OpenAI({ apiKey: "sk-demo", baseURL: `${baseUrl}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({
        model: model ?? "gpt-4o-mini",
        messages: [{ role: "user", content: prompt }],
        stream: true,
        stream_options: { include_usage: true },
    });
    let stopReason = null;
    let usage = null;
    for await (const chunk of stream) {
        for (const choice of chunk.choices) {
            text += choice.delta?.content ?? "";
            stopReason = choice.finish_reason ?? stopReason;
        }
        usage = chunk.usage ?? usage;
    }
    return {
        text,
        inputTokens: usage?.prompt_tokens ?? null,
        outputTokens: usage?.completion_tokens ?? null,
        stopReason,
    };
}

async function openAiResponses() {
    const client = new OpenAI({ apiKey: "sk-demo", baseURL: `${baseUrl}/v1`, maxRetries: 0 });
    const stream = await client.responses.create({
        model: model ?? "gpt-4o-mini",
        input: prompt,
        stream: true,
    });
    let expectedSequenceNumber = 0;
    for await (const event of stream) {
        // The SDK's stream helpers replay and resume by sequence_number: 0, 1, 2, ... per response.
        if (event.sequence_number !== expectedSequenceNumber) {
            throw new Error(
                `${event.type}: sequence_number ${event.sequence_number}, ` +
                    `expected ${expectedSequenceNumber}`
            );
        }
        ++expectedSequenceNumber;
        switch (event.type) {
            case "response.output_text.delta":
                text += event.delta;
                break;
            case "response.output_text.done":
                if (event.text !== text) {
                    throw new Error("response.output_text.done differs from the deltas");
                }
                break;
            case "response.completed":
            case "response.incomplete": {
                const response = event.response;
                const output = response.output
                    .flatMap((item) => item.content ?? [])
                    .filter((part) => part.type === "output_text")
                    .map((part) => part.text)
                    .join("");
                if (output !== text) {
                    throw new Error(`${event.type}: its output differs from the deltas`);
                }
                return {
                    text,
                    inputTokens: response.usage?.input_tokens ?? null,
                    outputTokens: response.usage?.output_tokens ?? null,
                    stopReason:
                        response.status === "incomplete"
                            ? response.incomplete_details?.reason ?? null
                            : response.status,
                };
            }
            case "response.failed":
                return {
                    error: {
                        name: "response.failed",
                        type: event.response.error?.code ?? null,
                        message: event.response.error?.message ?? "",
                    },
                    text,
                };
            case "error":
                return {
                    error: { name: "error", type: event.code ?? null, message: event.message },
                    text,
                };
        }
    }
    throw new Error("the stream ended without response.completed");
}

async function anthropic() {
    const client = new Anthropic({ apiKey: "sk-ant-demo", baseURL: baseUrl, maxRetries: 0 });
    const stream = client.messages.stream({
        model: model ?? "claude-sonnet-4-5",
        max_tokens: 1024,
        messages: [{ role: "user", content: prompt }],
    });
    stream.on("text", (delta) => {
        text += delta;
    });
    const message = await stream.finalMessage();
    const blocks = message.content.filter((block) => block.type === "text");
    const final = blocks.map((block) => block.text).join("");
    if (final !== text) {
        throw new Error("the final message differs from the text deltas");
    }
    return {
        text,
        inputTokens: message.usage.input_tokens,
        outputTokens: message.usage.output_tokens,
        stopReason: message.stop_reason,
    };
}

const modes = { "openai-chat": openAiChat, "openai-responses": openAiResponses, anthropic };
if (!modes[mode]) {
    usage();
}
let result;
try {
    result = await modes[mode]();
} catch (error) {
    // APIError: type from the error body (OpenAI: error.type; Anthropic: error.error.type). A
    // connection closed mid-answer: undici's TypeError "terminated", whose cause has the code
    // (UND_ERR_SOCKET); the Anthropic SDK wraps it in one more error.
    let cause = error;
    while (cause && !cause.code && cause.cause) {
        cause = cause.cause;
    }
    const type = error?.type ?? error?.error?.error?.type ?? cause?.code ?? null;
    result = {
        error: { name: error?.constructor?.name ?? "Error", type, message: String(error?.message) },
        text,
    };
}
console.log(JSON.stringify(result));
