/**
 * Event types as checkboxes from the server's catalog (ListEventTypes), plus any type the
 * endpoint already has that the catalog no longer lists. None checked means every type.
 */
export function EventTypePicker({ catalog, picked, onChange }: { catalog: string[]; picked: string[]; onChange: (picked: string[]) => void }) {
  const types = [...catalog, ...picked.filter((t) => !catalog.includes(t))];
  const toggle = (type: string, on: boolean) => onChange(on ? [...picked, type] : picked.filter((t) => t !== type));
  return (
    <fieldset>
      <legend>Event types</legend>
      <p class="hint">Leave all unchecked to receive every type.</p>
      {types.length === 0 && <p class="hint">The catalog is empty or could not be read.</p>}
      <div class="types">
        {types.map((type) => (
          <label key={type} class="check">
            <input type="checkbox" checked={picked.includes(type)} onChange={(e) => toggle(type, e.currentTarget.checked)} />
            {type}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
