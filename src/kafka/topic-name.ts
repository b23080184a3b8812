/** Kafka's rule for a topic name (org.apache.kafka.common.internals.Topic). */
export const TOPIC_NAME_RULE = "a Kafka topic name is 1 to 249 characters of ASCII letters, digits, '.', '_' and '-', and is not '.' or '..'";

export function isValidTopicName(t: string): boolean {
  return t.length >= 1 && t.length <= 249 && t !== '.' && t !== '..' && /^[a-zA-Z0-9._-]+$/.test(t);
}
