// The unified request as OpenAI's Chat Completions request: content parts and images, tools and
// tool results, structured output and reasoning effort, each in OpenAI's own shape.
import type {
  ChatCompletionContentPart,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import type { ChatMessage, ContentPart, ResponseFormat, ToolChoice } from '@colonycraft/protocol';
import type { ProviderRequest } from '../provider.js';
import { effortOf } from '../reasoning.js';

function toPart(part: ContentPart): ChatCompletionContentPart {
  if (part.type === 'text') return part;
  const { source, detail } = part;
  const url = source.type === 'url' ? source.url : `data:${source.mediaType};base64,${source.data}`;
  return { type: 'image_url', image_url: { url, ...(detail ? { detail } : {}) } };
}

function toMessage(m: ChatMessage): ChatCompletionMessageParam {
  switch (m.role) {
    case 'system':
      return { role: 'system', content: m.content };
    case 'user':
      return {
        role: 'user',
        content: typeof m.content === 'string' ? m.content : m.content.map(toPart),
      };
    case 'assistant':
      // Its reasoning stays behind: Chat Completions takes none back.
      return {
        role: 'assistant',
        content: m.content === '' && m.toolCalls ? null : m.content,
        ...(m.toolCalls
          ? {
              tool_calls: m.toolCalls.map((call) => ({
                id: call.id,
                type: 'function' as const,
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : {}),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
  }
}

function toolChoice(choice: ToolChoice): ChatCompletionToolChoiceOption {
  return typeof choice === 'string'
    ? choice
    : { type: 'function', function: { name: choice.name } };
}

function responseFormat(format: ResponseFormat) {
  switch (format.type) {
    case 'text':
      return { type: 'text' as const };
    case 'json':
      return { type: 'json_object' as const };
    case 'json-schema':
      return {
        type: 'json_schema' as const,
        json_schema: {
          name: format.name,
          schema: format.schema,
          ...(format.description !== undefined ? { description: format.description } : {}),
          ...(format.strict !== undefined ? { strict: format.strict } : {}),
        },
      };
  }
}

export interface BodyOptions {
  maxTokensParam: 'max_tokens' | 'max_completion_tokens';
  streamOptions: boolean;
}

export function openaiBody(
  request: ProviderRequest,
  options: BodyOptions,
): ChatCompletionCreateParamsStreaming {
  const { tools, toolChoice: choice, parallelToolCalls, responseFormat: format } = request;
  return {
    model: request.model,
    messages: request.messages.map(toMessage),
    temperature: request.temperature,
    top_p: request.topP,
    stop: request.stop,
    [options.maxTokensParam]: request.maxTokens,
    ...(tools
      ? {
          tools: tools.map((tool) => ({
            type: 'function' as const,
            function: {
              name: tool.name,
              parameters: tool.parameters,
              ...(tool.description !== undefined ? { description: tool.description } : {}),
              ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
            },
          })),
        }
      : {}),
    // OpenAI refuses tool_choice and parallel_tool_calls without tools.
    ...(tools && choice ? { tool_choice: toolChoice(choice) } : {}),
    ...(tools && parallelToolCalls !== undefined ? { parallel_tool_calls: parallelToolCalls } : {}),
    ...(format ? { response_format: responseFormat(format) } : {}),
    ...(request.reasoning ? { reasoning_effort: effortOf(request.reasoning) } : {}),
    stream: true,
    ...(options.streamOptions ? { stream_options: { include_usage: true } } : {}),
  };
}
