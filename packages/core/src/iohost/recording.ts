/**
 * An IoHost for tests (`@mfinfra/core/testing`): records every notification and question, and
 * answers questions from a table (a value or a function per code; else the question's default).
 * Assert on codes and data, not on English text.
 */
import type {
  AnyIoMessage,
  AnyIoRequest,
  IoHost,
  IoNotificationCode,
  IoNotifications,
  IoRequest,
  IoRequestCode,
  IoResponse,
} from './messages.js';

export type IoAnswers = {
  [C in IoRequestCode]?: IoResponse<C> | ((question: IoRequest<C>) => IoResponse<C> | Promise<IoResponse<C>>);
};

export class RecordingIoHost implements IoHost {
  /** Every notification, in order. */
  readonly messages: AnyIoMessage[] = [];
  /** Every question, in order. */
  readonly requests: AnyIoRequest[] = [];
  /** Notifications and questions together, in the order they came. */
  readonly log: (AnyIoMessage | AnyIoRequest)[] = [];

  constructor(public answers: IoAnswers = {}) {}

  notify(message: AnyIoMessage): void {
    this.messages.push(message);
    this.log.push(message);
  }

  async request<C extends IoRequestCode>(question: IoRequest<C>): Promise<IoResponse<C>> {
    this.requests.push(question as unknown as AnyIoRequest);
    this.log.push(question as unknown as AnyIoRequest);
    const answer = this.answers[question.code] as IoResponse<C> | ((q: IoRequest<C>) => IoResponse<C> | Promise<IoResponse<C>>) | undefined;
    if (answer === undefined) return question.defaultResponse;
    return typeof answer === 'function' ? answer(question) : answer;
  }

  /** The codes of every notification and question, in the order they came. */
  codes(): string[] {
    return this.log.map((m) => m.code);
  }

  /** The data of every notification with this code. */
  data<C extends IoNotificationCode>(code: C): IoNotifications[C][] {
    return this.messages.filter((m) => m.code === code).map((m) => m.data as IoNotifications[C]);
  }

  /** The codes of the questions asked, in order. */
  asked(): IoRequestCode[] {
    return this.requests.map((r) => r.code);
  }
}
