import type { ReactNode } from 'react'

export interface FieldProps {
  label: string
  /** A short note under the control (units, defaults). */
  hint?: string
  children: ReactNode
}

/** A form control with its visible label (the label wraps it, so no id is needed). */
export function Field({ label, hint, children }: FieldProps) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      {children}
      {hint !== undefined && <span className="field-hint">{hint}</span>}
    </label>
  )
}
