/**
 * The demo's frameworks and instruments, as documents. The values and their behaviours are the
 * finalised MPS values of seed 003 (Co-ordination and Policing Committee, 3 February 2006), word
 * for word (list punctuation aside). The seeds name no competencies; the competency framework is
 * shaped like the national Competency and Values Framework (three clusters, six competencies) with
 * indicators written for the demo, some taken from seeds 000 and 001 (personal responsibility for
 * development, coaching, making an impact), in a 2016 version and a revised 2024 version.
 */
import type { NormalisedDocument, DocumentNode } from '../../modules/assessments/frameworks.transfer.js'
import type { InstrumentCreate } from '../../modules/assessments/instruments.schemas.js'
import type { Static } from 'typebox'

export const VALUES_CODE = 'MET-VALUES'
export const COMPETENCY_CODE = 'MET-COMPETENCY'

const behaviour = (code: string, title: string, polarity: 'positive' | 'negative'): DocumentNode => ({ code, kind: 'behaviour', title, description: null, polarity, children: [] })

/** A value with its “we will” and “we will not” behaviours, coded V1-W1…, V1-N1…. */
function value(n: number, title: string, description: string, will: string[], willNot: string[]): DocumentNode {
  return {
    code: `V${n}`,
    kind: 'value',
    title,
    description,
    polarity: 'positive',
    children: [...will.map((b, i) => behaviour(`V${n}-W${i + 1}`, b, 'positive')), ...willNot.map((b, i) => behaviour(`V${n}-N${i + 1}`, b, 'negative'))]
  }
}

export const VALUES: NormalisedDocument = {
  code: VALUES_CODE,
  name: 'MPS values and behaviours',
  kind: 'values',
  versionNumber: 1,
  description:
    'Working together with all our citizens, all our partners and all our colleagues. Developed through consultation with about 5,500 staff; approved by Management Board and the MPA, launched February 2006.',
  elements: [
    value(
      1,
      'We will be proud to deliver quality policing. There is no greater priority.',
      'Put the needs of individuals and communities first. Be helpful and attentive. Make the best use of our resources.',
      [
        'understand and respond to the needs of the people and communities we serve',
        'balance the requirement to meet targets with the public’s expectation of quality service in every situation',
        'use the resources we have available, including our own time, in the most productive way',
        'make time to get the little things right',
        'suggest improvements in services that will make a difference',
        'lead by example'
      ],
      ['forget that quality is a vital part of our performance', 'overlook the importance of routine work', 'forget that we are here to serve']
    ),
    value(
      2,
      'We will build trust by listening and responding.',
      'Be accessible and approachable. Build relationships. Encourage others to challenge and get involved.',
      [
        'think about how our actions affect others',
        'provide opportunities for others to get involved',
        'be ‘visible’ so we are seen to be accessible',
        'make sure all staff feel comfortable in expressing themselves without fear',
        'encourage constructive feedback',
        'communicate (face-to-face where possible)',
        'explain what is happening and use practical examples that everyone can understand',
        'give consistent messages – our actions must match our words',
        'act with integrity - be honest and tell it how it is'
      ],
      ['see time spent building relationships with others as pointless', 'use behaviour which others could interpret as intimidating, bullying or lacking in integrity']
    ),
    value(
      3,
      'We will respect and support each other and work as a team.',
      'Work to bring people together. Trust and value the contribution everyone makes.',
      [
        'work across boundaries - bringing different groups together',
        'challenge inappropriate behaviour and actions consistently and fairly',
        'make sure that everyone knows what is expected of them',
        'trust our colleagues to do their jobs properly',
        'support each other when making difficult decisions',
        'acknowledge and value each other’s contribution',
        'respect difference',
        'respect the needs of others',
        'treat our colleagues as we want them to treat the public and our partners'
      ],
      [
        'see self-interest as more important than working together',
        'put our business group or unit first, and the MPS second',
        'ignore inappropriate behaviour or poor performance',
        'judge a person’s contribution only on the basis of seniority or status',
        'value police officers and police staff differently'
      ]
    ),
    value(
      4,
      'We will learn from experience and find ways to be even better.',
      'Be prepared to do things differently. Challenge how we work, share experiences and ideas.',
      [
        'allow staff the freedom to take considered risks',
        'take time to learn from our mistakes',
        'encourage creative thinking about new ways of doing things',
        'question why we do some things and be open to change',
        'share ideas',
        'capture what works well and what does not and change as a result',
        'invest time and resources in developing future talent',
        'take personal responsibility for change and not just look to others to make things different'
      ],
      [
        'rush to judge when mistakes are made',
        'react only to symptoms and not deal with the causes behind them',
        'be reluctant to take personal responsibility',
        'withhold information that could help others'
      ]
    )
  ]
}

type Indicator = [code: string, title: string, polarity?: 'negative']
const competency = (code: string, title: string, description: string, indicators: Indicator[]): DocumentNode => ({
  code,
  kind: 'competency',
  title,
  description,
  polarity: 'positive',
  children: indicators.map(([c, t, p]) => behaviour(c, t, p ?? 'positive'))
})
const cluster = (code: string, title: string, children: DocumentNode[]): DocumentNode => ({ code, kind: 'cluster', title, description: null, polarity: 'positive', children })

function competencyElements(revised: boolean): DocumentNode[] {
  return [
    cluster('CL1', 'Resolute, compassionate and committed', [
      competency('C1', 'We are emotionally aware', 'We consider the perspectives of people from a wide range of backgrounds and treat them with respect.', [
        ['C1-1', 'Listens to and considers the views of others'],
        ['C1-2', 'Treats people with dignity and respect whatever their background'],
        ['C1-3', revised ? 'Recognises the effect of their own wellbeing and behaviour on others, and asks for support when needed' : 'Recognises the effect of their own behaviour on others'],
        ['C1-N1', 'Dismisses the concerns of colleagues or the public', 'negative'],
        ...(revised ? ([['C1-4', 'Shows self-assurance and makes an impact, with assertiveness rather than aggression']] as Indicator[]) : [])
      ]),
      competency('C2', 'We take ownership', 'We take personal responsibility for our actions, our development and the service we give.', [
        ['C2-1', 'Takes responsibility for their own personal and career development'],
        ['C2-2', 'Follows things through to the end and keeps promises'],
        ['C2-3', 'Admits mistakes and learns from them'],
        ['C2-N1', 'Blames others when things go wrong', 'negative']
      ])
    ]),
    cluster('CL2', 'Inclusive, enabling and visionary leadership', [
      competency('C3', 'We are collaborative', 'We work with colleagues, partners and communities to deliver the best outcomes.', [
        ['C3-1', 'Works across boundaries, bringing different groups together'],
        ['C3-2', 'Shares information and expertise with partners'],
        ['C3-N1', 'Puts their own unit’s interests before those of the service', 'negative']
      ]),
      competency('C4', 'We deliver, support and inspire', 'We lead by example and help others to develop and succeed.', [
        ['C4-1', 'Sets clear expectations and gives constructive feedback'],
        ['C4-2', 'Coaches, mentors and develops others'],
        ['C4-3', revised ? 'Agrees development plans with each member of the team and reviews them through the year' : 'Discusses development plans with each member of the team'],
        ['C4-N1', 'Leaves poor performance or inappropriate behaviour unchallenged', 'negative']
      ])
    ]),
    cluster('CL3', 'Intelligent, creative and informed policing', [
      competency('C5', 'We analyse critically', 'We use evidence and information to make sound decisions.', [
        ['C5-1', 'Gathers and weighs evidence before deciding'],
        ['C5-2', 'Identifies the causes behind problems, not only the symptoms'],
        ...(revised ? ([['C5-3', 'Uses data and research to check whether what we do works']] as Indicator[]) : [])
      ]),
      competency('C6', 'We are innovative and open-minded', 'We look for new ways of working and learn from experience.', [
        ['C6-1', 'Suggests and tries new ways of doing things'],
        ['C6-2', 'Learns from mistakes and from others’ experience'],
        ...(revised ? [] : ([['C6-3', 'Keeps up to date with developments in their area']] as Indicator[])),
        ['C6-N1', 'Resists change without considering its benefits', 'negative']
      ])
    ])
  ]
}

export const COMPETENCY_2016: NormalisedDocument = {
  code: COMPETENCY_CODE,
  name: 'MPS competency framework (2016)',
  kind: 'competency',
  versionNumber: 1,
  description: 'Three clusters and six competencies, each with behaviour indicators, positive and negative. Demo data.',
  elements: competencyElements(false)
}

export const COMPETENCY_2024: NormalisedDocument = {
  ...COMPETENCY_2016,
  name: 'MPS competency framework (2024)',
  versionNumber: 2,
  description: 'The 2016 framework revised: wellbeing and impact indicators, development plans agreed through the year, evidence-based practice. Demo data.',
  elements: competencyElements(true)
}

type InstrumentInput = Static<typeof InstrumentCreate>

/** Seed 000: “our own Quintax personality measure and measures of career motivation”. The scales are the demo’s. */
export const INSTRUMENTS: InstrumentInput[] = [
  {
    code: 'QUINTAX',
    name: 'Quintax personality measure',
    kind: 'personality',
    provider: 'DBM (development workshop partner)',
    description: 'A five-factor personality measure used in the IMPACT development workshops. Sten scores against a managerial norm group.',
    scales: [
      { code: 'EXT', name: 'Extraversion', scoreKind: 'sten' },
      { code: 'AGR', name: 'Agreeableness', scoreKind: 'sten' },
      { code: 'CON', name: 'Conscientiousness', scoreKind: 'sten' },
      { code: 'STA', name: 'Emotional stability', scoreKind: 'sten' },
      { code: 'OPN', name: 'Openness to experience', scoreKind: 'sten' }
    ]
  },
  {
    code: 'CAREER-MOTIVATION',
    name: 'Career motivation questionnaire',
    kind: 'motivation',
    provider: 'DBM (development workshop partner)',
    description: 'What a manager looks for in their career, as percentiles against a public-sector norm group.',
    scales: [
      { code: 'ACH', name: 'Achievement', scoreKind: 'percentile' },
      { code: 'AUT', name: 'Autonomy', scoreKind: 'percentile' },
      { code: 'SEC', name: 'Security', scoreKind: 'percentile' },
      { code: 'AFF', name: 'Affiliation', scoreKind: 'percentile' },
      { code: 'REC', name: 'Recognition', scoreKind: 'percentile' },
      { code: 'DEV', name: 'Personal development', scoreKind: 'percentile' },
      { code: 'BAL', name: 'Work-life balance', scoreKind: 'percentile' }
    ]
  }
]

export const NORM_GROUPS: Record<string, string> = {
  QUINTAX: 'UK managers and professionals (2005)',
  'CAREER-MOTIVATION': 'UK public sector managers (2004)'
}
