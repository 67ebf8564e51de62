/**
 * The one rule for categories, shared by every event store adapter: a stream's category is its
 * name up to the first dash (`refund-R-1` is in `refund`), as EventStoreDB's own $by_category
 * projection has it; a stream without a dash is in no category. So a category name has no dash.
 */
export const categoryOf = (streamName: string): string | undefined => {
  const dash = streamName.indexOf('-');
  return dash > 0 ? streamName.slice(0, dash) : undefined;
};

/** Refuses a name no stream can be in (empty, or with a dash): it would silently read nothing. */
export const checkCategory = (category: string): string => {
  if (category === '' || category.includes('-')) {
    throw new Error(`invalid category name "${category}": streams are <category>-<id>`);
  }
  return category;
};
