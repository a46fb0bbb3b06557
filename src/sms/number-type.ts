// The number type (mobile, fixed line, ...) by libphonenumber's rule, with each country's patterns
// compiled once. libphonenumber-js builds a new RegExp from the pattern text on every check
// (matchesEntirely), and China's fixed-line pattern alone is 1,000 characters: getType() cost more than
// parsing the number. Same answers as PhoneNumber.getType(); number-type.test.ts compares the two.
import { Metadata, type CountryCode, type NumberType } from 'libphonenumber-js/max';

type TypeName = Exclude<NumberType, undefined | 'FIXED_LINE_OR_MOBILE'>;

/** The checks after FIXED_LINE, in libphonenumber's order. */
const OTHER_TYPES: readonly TypeName[] = ['MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'];

interface TypePattern {
  pattern: RegExp;
  lengths: readonly number[] | undefined;
}

interface Plan {
  general: RegExp;
  types: Map<TypeName, TypePattern>;
  /** MOBILE's pattern was dropped from the metadata as a duplicate of FIXED_LINE's (or is missing). */
  mobileSameAsFixed: boolean;
}

interface MetadataType {
  pattern(): string;
  possibleLengths(): number[] | undefined;
}
interface NumberingPlanInternals {
  nationalNumberPattern(): string;
  type(name: string): MetadataType | undefined;
}

const plans = new Map<string, Plan>();
const whole = (source: string) => new RegExp(`^(?:${source})$`);

function planOf(countryOrCallingCode: string): Plan {
  let plan = plans.get(countryOrCallingCode);
  if (plan) return plan;
  const metadata = new Metadata() as Metadata & { numberingPlan: NumberingPlanInternals };
  metadata.selectNumberingPlan(countryOrCallingCode as CountryCode);
  const numbering = metadata.numberingPlan;
  const types = new Map<TypeName, TypePattern>();
  for (const name of ['FIXED_LINE', ...OTHER_TYPES] as TypeName[]) {
    const t = numbering.type(name);
    if (t && t.pattern()) types.set(name, { pattern: whole(t.pattern()), lengths: t.possibleLengths() });
  }
  const mobile = numbering.type('MOBILE');
  plan = { general: whole(numbering.nationalNumberPattern()), types, mobileSameAsFixed: !mobile || mobile.pattern() === '' };
  plans.set(countryOrCallingCode, plan);
  return plan;
}

function isType(plan: Plan, name: TypeName, national: string): boolean {
  const t = plan.types.get(name);
  if (!t) return false;
  if (t.lengths && !t.lengths.includes(national.length)) return false;
  return t.pattern.test(national);
}

/**
 * The type of a national significant number in a country (or, for non-geographic numbers, a calling
 * code such as '882'); undefined when the number does not match the country's numbering plan.
 */
export function numberType(countryOrCallingCode: string, national: string): NumberType {
  const plan = planOf(countryOrCallingCode);
  if (!plan.general.test(national)) return undefined;
  if (isType(plan, 'FIXED_LINE', national)) {
    return plan.mobileSameAsFixed || isType(plan, 'MOBILE', national) ? 'FIXED_LINE_OR_MOBILE' : 'FIXED_LINE';
  }
  for (const name of OTHER_TYPES) if (isType(plan, name, national)) return name;
  return undefined;
}
